import KarezProtocol
import Testing
@testable import KarezDomain

@Suite struct NewsValidationTests {
    func errors(_ members: [(String, JSONValue)]) -> [Violation] {
        switch NewsProcessor().process(newsItem(members), context: newsContext) {
        case .success: []
        case .failure(let e): e.errors
        }
    }

    @Test func valid() {
        #expect(errors([("body", "正文。"), ("published_at", "2024-01-10")]).isEmpty)
    }

    @Test func titleAndBodyNeedMoreThanWhiteSpace() {
        let e = errors([("title", " \u{3000}\n"), ("body", "\t  ")])
        #expect(e.map(\.path) == ["/title", "/body"])
        #expect(e.map(\.code) == ["min_length", "min_length"])
    }

    @Test func bodyOfPageChromeOnlyIsEmpty() {
        let e = errors([("body", "打印\n关闭\n")])
        #expect(e.map(\.path) == ["/body"])
        #expect(e.map(\.code) == ["min_length"])
    }

    @Test func publishedInTheFuture() {
        // Today is 2024-06-01 (UTC). A bare date may be tomorrow somewhere east of UTC.
        #expect(errors([("body", "正文"), ("published_at", "2024-06-02")]).isEmpty)
        let e = errors([("body", "正文"), ("published_at", "2024-06-03")])
        #expect(e.map(\.path) == ["/published_at"])
        #expect(e.map(\.code) == ["date_future"])
        // A date-time counts by its UTC date: 01:00 in Beijing on 2 June is 1 June in UTC.
        #expect(errors([("body", "正文"), ("published_at", "2024-06-02T01:00:00+08:00")]).isEmpty)
        #expect(errors([("body", "正文"), ("published_at", "2024-06-02T09:00:00+08:00")]).map(\.code) == ["date_future"])
        #expect(errors([("body", "正文"), ("published_at", "2024-06-01T23:00:00-05:00")]).map(\.code) == ["date_future"])
    }

    @Test func schemaViolationsComeFirst() {
        let e = errors([("published_at", "2024-13-01")])
        #expect(e.contains(Violation(path: "/body", code: "required", message: e.first { $0.path == "/body" }?.message ?? "")))
        #expect(e.contains { $0.path == "/published_at" && $0.code == "format" })
        let tooLong = errors([("body", .string(String(repeating: "字", count: 1_000_001)))])
        #expect(tooLong.map(\.code) == ["max_length"])
    }

    @Test func domainErrorsCarryTheItem() throws {
        let result = NewsProcessor().process(newsItem([("body", " ")]), context: newsContext)
        guard case .failure(let error) = result else { Issue.record("expected a failure"); return }
        #expect(error.id == "news-test-1")
        #expect(error.kind == "news")
    }
}

@Suite struct NewsPageChromeTests {
    func stored(_ body: String) throws -> String {
        let item = try NewsProcessor().process(newsItem([("body", .string(body))]), context: newsContext).get()
        return try #require(item.body["body"]?.stringValue)
    }

    @Test func trailingChromeLinesAreStripped() throws {
        #expect(try stored("正文。\n打印\n关闭\n") == "正文。")
        #expect(try stored("正文。\n【打印】【关闭窗口】\n\n") == "正文。")
        #expect(try stored("正文。\n 打印 | 关闭 \n") == "正文。")
        #expect(try stored("正文。\n分享到：微信 微博\n返回顶部") == "正文。")
        #expect(try stored("Body text.\nPrint | Close\nBack to top\n") == "Body text.")
        #expect(try stored("正文。\n\n   \n") == "正文。")
    }

    @Test func contentIsKept() throws {
        // Only whole trailing lines of chrome words go; chrome words inside text stay.
        #expect(try stored("正文。\n关闭交易所\n") == "正文。\n关闭交易所")
        #expect(try stored("打印\n正文。") == "打印\n正文。")
        #expect(try stored("会议决定关闭。\n") == "会议决定关闭。")
        #expect(try stored("中\n") == "中")
    }

    @Test func unchangedBodyIsTheSameValue() throws {
        let body: JSONValue = newsItem([("body", "正文。")])
        let item = try NewsProcessor().process(body, context: newsContext).get()
        #expect(item.body == body)
    }
}
