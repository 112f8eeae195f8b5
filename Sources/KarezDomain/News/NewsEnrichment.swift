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

/// Everything the enricher learns about a story; ``write(into:)`` writes the stored `enrichment` object
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

    /// The enrichment object as compact JSON, members in a fixed order.
    var jsonBytes: [UInt8] {
        var out = JSONByteSink(capacity: 2048)
        write(into: &out)
        return out.bytes()
    }

    /// Writes the enrichment object, members in a fixed order.
    func write(into out: inout JSONByteSink) {
        out.append("{\"language\":")
        out.writeString(language.rawValue)
        out.append(",\"chars\":")
        out.writeNumber(Double(chars))
        out.append(",\"summary\":")
        out.writeString(summary)
        Self.array(",\"amounts\":[", amounts, into: &out) { a, out in
            out.append("{\"text\":")
            out.writeString(a.text)
            out.append(",\"value_cny\":")
            out.writeNumber(a.valueCNY)
            out.append(a.approximate ? ",\"approximate\":true,\"offset\":" : ",\"approximate\":false,\"offset\":")
            out.writeNumber(Double(a.offset))
            out.append(UInt8(ascii: "}"))
        }
        Self.array(",\"dates\":[", dates, into: &out) { d, out in
            out.append("{\"text\":")
            out.writeString(d.text)
            out.append(",\"value\":")
            out.writeString(d.value)
            out.append(",\"precision\":")
            out.writeString(d.precision.rawValue)
            out.append(UInt8(ascii: "}"))
        }
        Self.array(",\"quantities\":[", quantities, into: &out) { q, out in
            out.append("{\"text\":")
            out.writeString(q.text)
            out.append(",\"value\":")
            out.writeNumber(q.value)
            out.append(",\"unit\":")
            out.writeString(q.unit)
            out.append(q.approximate ? ",\"approximate\":true}" : ",\"approximate\":false}")
        }
        Self.array(",\"percents\":[", percents, into: &out) { p, out in
            out.append("{\"text\":")
            out.writeString(p.text)
            out.append(",\"value\":")
            out.writeNumber(p.value)
            out.append(UInt8(ascii: "}"))
        }
        Self.array(",\"places\":[", places, into: &out) { p, out in
            out.append("{\"name\":")
            out.writeString(p.name)
            out.append(",\"province\":")
            out.writeString(p.province)
            out.append(UInt8(ascii: "}"))
        }
        Self.array(",\"organizations\":[", organizations, into: &out) { o, out in out.writeString(o) }
        Self.array(",\"people\":[", people, into: &out) { p, out in
            out.append("{\"name\":")
            out.writeString(p.name)
            out.append(",\"title\":")
            out.writeString(p.title)
            out.append(UInt8(ascii: "}"))
        }
        Self.array(",\"topics\":[", topics, into: &out) { t, out in out.writeString(t.name) }
        Self.array(",\"keywords\":[", keywords, into: &out) { k, out in out.writeString(k) }
        out.append(UInt8(ascii: "}"))
    }

    /// Writes `opening` (a member name and `[`), the elements separated by commas, and `]`.
    private static func array<T>(_ opening: StaticString, _ elements: [T], into out: inout JSONByteSink,
                                 _ element: (T, inout JSONByteSink) -> Void) {
        out.append(opening)
        for (i, e) in elements.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            element(e, &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}
