import KarezProtocol

/// A sum of money in yuan found in a story (`1.2亿元`, `约12万元`, `CNY 12 million`).
struct NewsAmount: Sendable, Equatable {
    /// The words as written, with any 约/近/人民币 before and 多/余/左右 around them.
    var text: String
    var valueCNY: Double
    /// True for 多, 余, 约, 近, 逾, 左右, "about", "more than" and the like.
    var approximate: Bool
    /// Scalar offset of `text` in the stored body.
    var offset: Int
}

/// How precisely a date is known.
enum DatePrecision: String, Sendable {
    case day, month, year
    /// 上旬, 中旬, 下旬, 初, 底, "early", "mid-", "late": part of the month, value `YYYY-MM`.
    case partOfMonth = "part_of_month"
}

/// A date found in a story.
struct NewsDate: Sendable, Equatable {
    var text: String
    /// ISO 8601: `2023-05-24` (day), `2023-05` (month, part of month), `2023` (year).
    var value: String
    var precision: DatePrecision
}

/// A counted quantity (`19名`, `700余人次`, `10万吨`): never money, a date or a percentage.
struct NewsQuantity: Sendable, Equatable {
    var text: String
    var value: Double
    /// The measure word or unit (名, 人次, 吨) or, in English, the counted noun.
    var unit: String
    var approximate: Bool
}

/// A percentage (`80%`, `百分之八十`, `12.5 percent`): `value` is 80 for 80%.
struct NewsPercent: Sendable, Equatable {
    var text: String
    var value: Double
}

/// A place of the gazetteer named in a story.
struct NewsPlace: Sendable, Equatable {
    /// The name as first written (益阳, 吐鲁番市).
    var name: String
    /// The full name of its province (湖南省); a province's is its own.
    var province: String
}

/// A person named right after a title (市委书记陈竞).
struct NewsPerson: Sendable, Equatable {
    var name: String
    var title: String
}

/// Everything the enricher learns about a story; ``json`` is the stored `enrichment` object
/// (`proto-json/schemas/enrichment-news.schema.json`).
struct NewsEnrichment: Sendable, Equatable {
    var language: News.Language
    var chars: Int
    var summary: String
    var amounts: [NewsAmount] = []
    var dates: [NewsDate] = []
    var quantities: [NewsQuantity] = []
    var percents: [NewsPercent] = []
    var places: [NewsPlace] = []
    var organizations: [String] = []
    var people: [NewsPerson] = []
    var topics: [NewsTopic] = []
    var keywords: [String] = []

    /// The enrichment object, members in a fixed order.
    var json: JSONValue {
        .object(JSONObject([
            ("language", .string(language.rawValue)),
            ("chars", .number(Double(chars))),
            ("summary", .string(summary)),
            ("amounts", .array(amounts.map { a in
                Self.object(Self.amountTemplate, [.string(a.text), .number(a.valueCNY), .bool(a.approximate), .number(Double(a.offset))])
            })),
            ("dates", .array(dates.map { d in
                Self.object(Self.dateTemplate, [.string(d.text), .string(d.value), .string(d.precision.rawValue)])
            })),
            ("quantities", .array(quantities.map { q in
                Self.object(Self.quantityTemplate, [.string(q.text), .number(q.value), .string(q.unit), .bool(q.approximate)])
            })),
            ("percents", .array(percents.map { p in Self.object(Self.percentTemplate, [.string(p.text), .number(p.value)]) })),
            ("places", .array(places.map { p in Self.object(Self.placeTemplate, [.string(p.name), .string(p.province)]) })),
            ("organizations", .array(organizations.map { .string($0) })),
            ("people", .array(people.map { p in Self.object(Self.personTemplate, [.string(p.name), .string(p.title)]) })),
            ("topics", .array(topics.map { .string($0.name) })),
            ("keywords", .array(keywords.map { .string($0) })),
        ]))
    }

    // Objects are made by filling in a template, so each is one allocation of the right size
    // rather than an array grown member by member.
    private static let amountTemplate = JSONObject([("text", ""), ("value_cny", 0), ("approximate", false), ("offset", 0)])
    private static let dateTemplate = JSONObject([("text", ""), ("value", ""), ("precision", "")])
    private static let quantityTemplate = JSONObject([("text", ""), ("value", 0), ("unit", ""), ("approximate", false)])
    private static let percentTemplate = JSONObject([("text", ""), ("value", 0)])
    private static let placeTemplate = JSONObject([("name", ""), ("province", "")])
    private static let personTemplate = JSONObject([("name", ""), ("title", "")])

    /// `template` with its members' values replaced, in order, by `values`.
    private static func object(_ template: JSONObject, _ values: [JSONValue]) -> JSONValue {
        var object = template
        for (member, value) in zip(template.members, values) { object[member.key] = value }
        return .object(object)
    }
}
