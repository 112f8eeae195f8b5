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
        Self.object([
            ("language", .string(language.rawValue)),
            ("chars", .number(Double(chars))),
            ("summary", .string(summary)),
            ("amounts", .array(amounts.map { a in
                Self.object([("text", .string(a.text)), ("value_cny", .number(a.valueCNY)), ("approximate", .bool(a.approximate)),
                             ("offset", .number(Double(a.offset)))])
            })),
            ("dates", .array(dates.map { d in
                Self.object([("text", .string(d.text)), ("value", .string(d.value)), ("precision", .string(d.precision.rawValue))])
            })),
            ("quantities", .array(quantities.map { q in
                Self.object([("text", .string(q.text)), ("value", .number(q.value)), ("unit", .string(q.unit)),
                             ("approximate", .bool(q.approximate))])
            })),
            ("percents", .array(percents.map { p in Self.object([("text", .string(p.text)), ("value", .number(p.value))]) })),
            ("places", .array(places.map { p in Self.object([("name", .string(p.name)), ("province", .string(p.province))]) })),
            ("organizations", .array(organizations.map { .string($0) })),
            ("people", .array(people.map { p in Self.object([("name", .string(p.name)), ("title", .string(p.title))]) })),
            ("topics", .array(topics.map { .string($0.name) })),
            ("keywords", .array(keywords.map { .string($0) })),
        ])
    }

    /// An object of members with distinct names, built in one allocation.
    private static func object(_ members: [(key: String, value: JSONValue)]) -> JSONValue {
        .object(JSONObject(uniqueKeysWithValues: members))
    }
}
