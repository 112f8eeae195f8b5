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
        out.writeMember("{\"language\":", language.rawValue)
        out.writeMember(",\"chars\":", number: Double(chars))
        out.writeMember(",\"summary\":", summary)
        out.writeArray(",\"amounts\":[", amounts) { a, out in
            out.writeMember("{\"text\":", a.text)
            out.writeMember(",\"value_cny\":", number: a.valueCNY)
            out.append(a.approximate ? ",\"approximate\":true,\"offset\":" : ",\"approximate\":false,\"offset\":")
            out.writeNumber(Double(a.offset))
            out.append(UInt8(ascii: "}"))
        }
        out.writeArray(",\"dates\":[", dates) { d, out in
            out.writeMember("{\"text\":", d.text)
            out.writeMember(",\"value\":", d.value)
            out.writeMember(",\"precision\":", d.precision.rawValue)
            out.append(UInt8(ascii: "}"))
        }
        out.writeArray(",\"quantities\":[", quantities) { q, out in
            out.writeMember("{\"text\":", q.text)
            out.writeMember(",\"value\":", number: q.value)
            out.writeMember(",\"unit\":", q.unit)
            out.append(q.approximate ? ",\"approximate\":true}" : ",\"approximate\":false}")
        }
        out.writeArray(",\"percents\":[", percents) { p, out in
            out.writeMember("{\"text\":", p.text)
            out.writeMember(",\"value\":", number: p.value)
            out.append(UInt8(ascii: "}"))
        }
        out.writeArray(",\"places\":[", places) { p, out in
            out.writeMember("{\"name\":", p.name)
            out.writeMember(",\"province\":", p.province)
            out.append(UInt8(ascii: "}"))
        }
        out.writeArray(",\"organizations\":[", organizations) { o, out in out.writeString(o) }
        out.writeArray(",\"people\":[", people) { p, out in
            out.writeMember("{\"name\":", p.name)
            out.writeMember(",\"title\":", p.title)
            out.append(UInt8(ascii: "}"))
        }
        out.writeArray(",\"topics\":[", topics) { t, out in out.writeString(t.name) }
        out.writeArray(",\"keywords\":[", keywords) { k, out in out.writeString(k) }
        out.append(UInt8(ascii: "}"))
    }
}
