import KarezProtocol
import Testing
@testable import KarezDomain

/// The golden test: the reference story gives exactly the amounts, dates and quantities it
/// contains, in order.
@Suite struct NewsReferenceTests {
    static let context = ProcessingContext(today: CalendarDate(year: 2024, month: 6, day: 1), pseudonymizer: .development)

    static var item: JSONValue {
        .object(JSONObject([("id", .string(ReferenceStory.id)), ("kind", "news"), ("title", .string(ReferenceStory.title)),
                            ("body", .string(NewsReferenceStory.body)), ("language", "zh"), ("source", .string(ReferenceStory.source)),
                            ("published_at", .string(ReferenceStory.publishedAt))]))
    }

    static func processed() throws -> ProcessedItem {
        try NewsProcessor().process(item, context: context).get()
    }

    static func enrichment() -> NewsEnrichment {
        let text = ScalarText(NewsReferenceStory.body)
        let stored = text.scalars.withUnsafeBufferPointer { PageChrome.storedLength($0) }
        return NewsEnricher.enrich(text, storedLength: stored, language: .zh, published: CalendarDate(year: 2024, month: 1, day: 10))
    }

    @Test func pageChromeIsStrippedFromTheStoredBody() throws {
        let item = try Self.processed()
        let body = try #require(item.body["body"]?.stringValue)
        #expect(NewsReferenceStory.body.hasSuffix("打印\n关闭\n"))
        #expect(body.hasSuffix("在《益阳日报》开设了专栏《援疆“周”记》,持续宣传援疆工作。"))
        #expect(!body.contains("打印"))
        #expect(body.unicodeScalars.count == NewsReferenceStory.body.unicodeScalars.count - 7)
        #expect(item.enrichment["chars"]?.integerValue == body.unicodeScalars.count)
        // The rest of the body is stored as sent.
        #expect(item.body["title"]?.stringValue == ReferenceStory.title)
        #expect(item.id == ReferenceStory.id)
    }

    @Test func amounts() throws {
        let amounts = Self.enrichment().amounts
        let expected: [(String, Double, Bool)] = [
            ("1000多万元", 10_000_000, true),  // 2023年到位援疆资金1000多万元
            ("915万元", 9_150_000, false),     // 完成投资915万元
            ("800万元", 8_000_000, false),     // 投资800万元的“红石榴·青年人才公寓”
            ("800万元", 8_000_000, false),     // 投入援疆资金800万元打造“天山芙蓉…”
            ("150万元", 1_500_000, false),     // 投入援疆资金150万元
            ("100万元", 1_000_000, false),     // 投入援疆资金100万元打造的万亩晒场
            ("800多万元", 8_000_000, true),    // 年发放工资800多万元
            ("约12万元", 120_000, true),       // 争取助学资金约12万元
        ]
        #expect(amounts.map(\.text) == expected.map(\.0))
        #expect(amounts.map(\.valueCNY) == expected.map(\.1))
        #expect(amounts.map(\.approximate) == expected.map(\.2))
        // Offsets are scalar offsets into the stored body.
        let scalars = Array(NewsReferenceStory.body.unicodeScalars)
        for amount in amounts {
            let slice = String(String.UnicodeScalarView(scalars[amount.offset..<(amount.offset + amount.text.unicodeScalars.count)]))
            #expect(slice == amount.text)
        }
    }

    @Test func dates() {
        let dates = Self.enrichment().dates
        let expected: [(String, String, DatePrecision)] = [
            ("2023年5月", "2023-05", .month),
            ("2023年8月中旬", "2023-08", .partOfMonth),
            ("2023年5月24日", "2023-05-24", .day),
            ("2023年", "2023", .year),              // “2023年到位援疆资金…”
            ("1月4日", "2024-01-04", .day),         // no year: the latest 4 January not after 2024-01-10
            ("2023年12月30日", "2023-12-30", .day),
            ("2023年7月", "2023-07", .month),
            ("2023年7月", "2023-07", .month),
        ]
        #expect(dates.map(\.text) == expected.map(\.0))
        #expect(dates.map(\.value) == expected.map(\.1))
        #expect(dates.map(\.precision) == expected.map(\.2))
    }

    @Test func quantities() {
        let quantities = Self.enrichment().quantities
        let expected: [(String, Double, String, Bool)] = [
            ("19名", 19, "名", false), ("8名", 8, "名", false), ("4名", 4, "名", false), ("3名", 3, "名", false),
            ("5项", 5, "项", false), ("23次", 23, "次", false), ("6个", 6, "个", false), ("40余名", 40, "名", true),
            ("3家", 3, "家", false), ("17家", 17, "家", false), ("4家", 4, "家", false), ("2个", 2, "个", false),
            ("40多名", 40, "名", true), ("近10万吨", 100_000, "吨", true), ("100余名", 100, "名", true), ("600余名", 600, "名", true),
            ("3名", 3, "名", false),  // 杨卫红、彭德芳、吴智3名援疆教师
            ("50余名", 50, "名", true), ("723例", 723, "例", false), ("700余人次", 700, "人次", true), ("38例", 38, "例", false),
            ("4位", 4, "位", false), ("26名", 26, "名", false),
            ("1小时", 1, "小时", false),  // 每周五1小时文化“加餐”
            ("53名", 53, "名", false), ("139名", 139, "名", false), ("40余名", 40, "名", true), ("25名", 25, "名", false),
            ("80余批", 80, "批", true), ("700余人次", 700, "人次", true), ("100余篇", 100, "篇", true),
        ]
        #expect(quantities.map(\.text) == expected.map(\.0))
        #expect(quantities.map(\.value) == expected.map(\.1))
        #expect(quantities.map(\.unit) == expected.map(\.2))
        #expect(quantities.map(\.approximate) == expected.map(\.3))
    }

    @Test func percents() {
        let percents = Self.enrichment().percents
        #expect(percents.map(\.text) == ["80%", "80%"])
        #expect(percents.map(\.value) == [80, 80])
    }

    @Test func places() {
        let places = Self.enrichment().places
        #expect(places.map(\.name) == ["新疆", "益阳", "吐鲁番市", "湖南省", "厦门", "贵州", "山东", "高昌区"])
        #expect(places.map(\.province) == ["新疆维吾尔自治区", "湖南省", "新疆维吾尔自治区", "湖南省", "福建省", "贵州省", "山东省", "新疆维吾尔自治区"])
    }

    @Test func organizations() {
        let organizations = Self.enrichment().organizations
        for name in ["二二一团职工医院", "吐鲁番市人民医院", "高昌区人民医院", "湖南日报", "兵团日报", "益阳电视台", "十二师融媒体中心",
                     "益阳市第一中医医院", "新疆生产建设兵团", "十二师", "二二一团", "湖南省援疆前方指挥部", "益阳市援疆工作队",
                     "益阳市自然资源和规划局", "二二一团学校", "梓山湖学校", "龙洲小学", "益阳日报"]
        {
            #expect(organizations.contains(name), "missing \(name)")
        }
        // Generic mentions are not organisations.
        for name in ["援疆工作队", "学校", "受援医院", "援建指导医院", "团职工医院", "合作社", "中心"] {
            #expect(!organizations.contains(name), "\(name) is not a name")
        }
        #expect(Set(organizations).count == organizations.count)
    }

    @Test func people() {
        let people = Self.enrichment().people
        let expected: [(String, String)] = [
            ("沈晓明", "省委书记"), ("陈竞", "市委书记"), ("李震国", "副政委"), ("李永红", "副司令员"), ("李斌", "政委"), ("陈章杰", "指挥长"),
            ("胡志远", "领队"), ("田虎", "副领队"), ("盛叶红", "教师"), ("夏天", "医生"),
        ]
        #expect(people.map(\.name) == expected.map(\.0))
        #expect(people.map(\.title) == expected.map(\.1))
    }

    @Test func topicsKeywordsAndSummary() {
        let e = Self.enrichment()
        for topic in [NewsTopic.health, .education, .investment, .culture, .ethnicUnity, .media] { #expect(e.topics.contains(topic)) }
        #expect(e.keywords.count == 10)
        #expect(Array(e.keywords.prefix(5)) == ["援疆", "援疆工作", "二二一团", "工作队", "益阳"])
        #expect(e.summary.hasPrefix("新疆工作在党和国家工作全局中具有特殊重要的地位"))
        #expect(e.summary.hasSuffix("统筹谋划和推进。"))
        #expect(e.language == .zh)
    }

    @Test func recordAndFacts() throws {
        let item = try Self.processed()
        let enrichment = try #require(item.enrichment.objectValue)
        #expect(enrichment.keys == ["language", "chars", "summary", "amounts", "dates", "quantities", "percents", "places",
                                    "organizations", "people", "topics", "keywords"])
        let first = try #require(enrichment["amounts"]?.arrayValue?.first?.objectValue)
        #expect(first.keys == ["text", "value_cny", "approximate", "offset"])
        #expect(item.facts.first == DomainFact("news_stories", ["source": "益阳日报"], 1))
        #expect(item.facts.contains(DomainFact("news_topic_stories", ["topic": "health"], 1)))
        #expect(item.facts.last == DomainFact("news_amount_cny", ["source": "益阳日报"], 45_770_000))
        // The record serialises and parses back.
        let bytes = JSONWriter.bytes(item.record)
        #expect(try JSONParser.parse(bytes) == item.record)
    }
}
