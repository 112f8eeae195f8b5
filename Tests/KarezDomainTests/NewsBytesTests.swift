import KarezDomain
import KarezProtocol
import Testing

/// The byte path of news stories (read straight from bytes, the body's UTF-8 checked while it is
/// decoded, the stored story written from the bytes read) must give exactly what the tree path
/// gives, for valid stories and for broken ones.
@Suite("News byte path")
struct NewsBytesTests {
    typealias F = PatientFixtures
    /// What the byte path accepts, as a full `News`: the members read, and the body when it is
    /// valid UTF-8 of 1 to 1,000,000 scalars.
    let check = BytePathChecks<News>(processor: NewsProcessor()) { bytes in
        guard let read = News.read(bytes: bytes), let body = String(validating: read.body, as: UTF8.self),
              (1...News.bodyMaxLength).contains(body.unicodeScalars.count) else { return nil }
        var news = read.news
        news.body = body
        return news
    }

    @Test("generated, reference and proto-json stories take the byte path and give what the tree path gives")
    func validStoriesAgree() throws {
        try check.expectGeneratedAndVectorsAgree("news", count: 200)
    }

    @Test("invalid proto-json stories are refused with the tree path's errors")
    func invalidVectorsAgree() throws {
        check.expectInvalidRefused(try F.vectors("news", "invalid"))
    }

    @Test("pretty-printed, reordered, escaped, repeated, broken and truncated stories: same result as the tree path")
    func unusualJSON() throws {
        let story = #"{"id":"news-1","title":"益阳援疆","body":"2023年5月24日，益阳市投入1.2亿元。\n打印\n关闭","language":"zh","source":"益阳日报","published_at":"2023-05-25","tags":["援疆","益阳"]}"#
        let whole = story.replacingOccurrences(of: #"\n打印\n关闭"#, with: "")
        let variants: [(String, String)] = [
            ("pretty-printed", try String(contentsOf: F.protoJSON.appendingPathComponent("examples/news/valid/english-short-story.json"), encoding: .utf8)),
            ("body first", #"{"body":"一二三。","title":"标题","id":"news-2","kind":"news"}"#),
            ("escaped body", story.replacingOccurrences(of: "益阳市投入", with: #"\u76ca\u9633\u5e02\u6295\u5165\/\"\\"#)),
            ("surrogate pair", story.replacingOccurrences(of: "益阳市投入", with: #"\ud83d\ude00"#)),
            ("lone surrogate", story.replacingOccurrences(of: "益阳市投入", with: #"\ud83d"#)),
            ("control character", story.replacingOccurrences(of: "益阳市投入", with: "\u{01}")),
            ("escaped NUL", story.replacingOccurrences(of: "益阳市投入", with: #"\u0000"#)),
            ("empty body", story.replacingOccurrences(of: #""body":"2023年5月24日，益阳市投入1.2亿元。\n打印\n关闭""#, with: #""body":"""#)),
            ("body of chrome only", story.replacingOccurrences(of: #""body":"2023年5月24日，益阳市投入1.2亿元。\n打印\n关闭""#, with: #""body":"打印\n关闭""#)),
            ("body as a number", story.replacingOccurrences(of: #""body":"2023年5月24日，益阳市投入1.2亿元。\n打印\n关闭""#, with: #""body":12"#)),
            ("repeated body", story.replacingOccurrences(of: #","language""#, with: #","body":"又一个","language""#)),
            ("repeated tags", story.replacingOccurrences(of: #","source""#, with: #","tags":[],"source""#)),
            ("unknown member", story.replacingOccurrences(of: #","source""#, with: #","channel":"tv","source""#)),
            ("date-time", story.replacingOccurrences(of: "2023-05-25", with: "2023-05-25T08:30:00.5+08:00")),
            ("bad date", story.replacingOccurrences(of: "2023-05-25", with: "2023-02-30")),
            ("future date", story.replacingOccurrences(of: "2023-05-25", with: "2099-05-25")),
            ("other language", story.replacingOccurrences(of: #""language":"zh""#, with: #""language":"fr""#)),
            ("51 tags", story.replacingOccurrences(of: #"["援疆","益阳"]"#, with: "[" + Array(repeating: #""t""#, count: 51).joined(separator: ",") + "]")),
            ("65-character tag", story.replacingOccurrences(of: #""援疆""#, with: "\"" + String(repeating: "援", count: 65) + "\"")),
            ("url", story.replacingOccurrences(of: #","source""#, with: #","url":"https://example.com/a?b=1","source""#)),
            ("bad url", story.replacingOccurrences(of: #","source""#, with: #","url":"ftp://example.com","source""#)),
            ("author", story.replacingOccurrences(of: #","source""#, with: #","author":"记者 王","source""#)),
            ("kind", story.replacingOccurrences(of: #"{"id""#, with: #"{"kind":"news","id""#)),
            ("other kind", story.replacingOccurrences(of: #"{"id""#, with: #"{"kind":"lead","id""#)),
            ("blank title", story.replacingOccurrences(of: "益阳援疆", with: "  ")),
            ("trailing data", story + ","),
            // Bodies kept whole are copied from the input when written as the writer writes them.
            ("whole body", whole),
            ("whole body, the writer's escapes", whole.replacingOccurrences(of: "益阳市投入", with: #"\"\\\t\u001f\r\u0008"#)),
        ] + [#"\/"#, #"\b"#, #"\f"#, #"\u001F"#, #"\u0041"#, #"\u000a"#, #"\u0022"#, #"\u4e2d"#].map { escape in
            ("whole body, \(escape)", whole.replacingOccurrences(of: "益阳市投入", with: escape))
        }
        check.expectSameOnVariants(variants, truncating: Array(story.utf8))
        var overlong = Array(story.utf8)
        let at = overlong.firstIndex(of: UInt8(ascii: "\\"))!  // the \n of the body: replaced by an overlong 2-byte form
        overlong.replaceSubrange(at...(at + 1), with: [0xC0, 0x8A])
        check.expectSamePaths(overlong, "overlong UTF-8 in the body")
        var surrogate = Array(story.utf8)
        surrogate.replaceSubrange(at...(at + 1), with: [0xED, 0xA0, 0x80])
        check.expectSamePaths(surrogate, "encoded surrogate in the body")
    }
}
