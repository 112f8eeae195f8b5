import KarezProtocol
import Testing
@testable import KarezDomain

/// The scanners never trap, whatever the text, and what they report is consistent with it.
@Suite struct NewsRobustnessTests {
    /// Checks the invariants of an enrichment of `body`.
    func check(_ body: String, _ e: NewsEnrichment, sourceLocation: SourceLocation = #_sourceLocation) {
        let scalars = Array(body.unicodeScalars)
        #expect(e.chars <= scalars.count, sourceLocation: sourceLocation)
        for amount in e.amounts {
            let end = amount.offset + amount.text.unicodeScalars.count
            #expect(end <= e.chars, sourceLocation: sourceLocation)
            if end <= scalars.count {
                #expect(String(String.UnicodeScalarView(scalars[amount.offset..<end])) == amount.text, sourceLocation: sourceLocation)
            }
            #expect(amount.valueCNY >= 0 && amount.valueCNY.isFinite, sourceLocation: sourceLocation)
        }
        for date in e.dates {
            let parts = date.value.split(separator: "-").map { Int($0) }
            #expect(parts.allSatisfy { $0 != nil } && (1...3).contains(parts.count), sourceLocation: sourceLocation)
            if parts.count == 3, let y = parts[0], let m = parts[1], let d = parts[2] {
                #expect(CalendarDate.make(year: y, month: m, day: d) != nil, sourceLocation: sourceLocation)
            }
        }
        for text in e.quantities.map(\.text) + e.percents.map(\.text) + e.organizations + e.people.map(\.name) + e.keywords {
            #expect(!text.isEmpty && body.contains(text) || e.keywords.contains(text), sourceLocation: sourceLocation)
        }
        #expect(e.summary.unicodeScalars.count <= LeadSentence.maxLength, sourceLocation: sourceLocation)
        #expect(e.keywords.count <= KeywordExtractor.limit, sourceLocation: sourceLocation)
    }

    @Test func everyPrefixAndSuffixOfTheReferenceStory() {
        let scalars = Array(NewsReferenceStory.body.unicodeScalars)
        for cut in stride(from: 0, through: scalars.count, by: 13) {
            let prefix = String(String.UnicodeScalarView(scalars[..<cut]))
            let suffix = String(String.UnicodeScalarView(scalars[cut...]))
            check(prefix, newsEnrichment(prefix))
            check(suffix, newsEnrichment(suffix, published: nil))
        }
    }

    @Test func randomTextFromTrickyPieces() {
        let pieces = ["1", "2", "3", "0", "9", "２", "12", "2023", "1000", ",", ".", "．", "-", "/", "%", "％", "年", "月", "日", "号", "上旬",
                      "底", "万", "亿", "千", "百", "十", "元", "多", "余", "约", "近", "人民币", "美元", "名", "人次", "个", "个月", "吨", "千克",
                      "百分之", "八十", "二", "二一", "一", "〇", "两", "点", "师", "团", "第", "医院", "学校", "与", "、", "等", "日报", "湖南",
                      "益阳市", "吐鲁番", "市委书记", "陈", "竞", "欧阳", "先", "说", "打印", "关闭", "\n", " ", "。", "！", "May", "may",
                      "CNY", "RMB", "¥", "million", "yuan", "percent", "per", "cent", "in", "early", "mid-", "about", "more than", "people",
                      "😀", "\u{3000}", "x", "G", "援疆", "工作队", "团场"]
        var rng = SplitMix64(seed: 221)
        for _ in 0..<400 {
            var body = ""
            for _ in 0..<Int(rng.next() % 40) { body += pieces[Int(rng.next() % UInt64(pieces.count))] }
            let published: CalendarDate? = rng.next() % 3 == 0 ? nil : CalendarDate(year: 2024, month: 1, day: 10)
            check(body, newsEnrichment(body, published: published))
        }
    }

    @Test func emptyAndTinyBodies() {
        for body in ["", " ", "\n", "1", "年", "万元", "1万", "百分之", "书记", "May", "2023年", "1月", "打印", "😀"] {
            check(body, newsEnrichment(body))
        }
    }
}
