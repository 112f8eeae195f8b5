import KarezProtocol

// The mentions' texts are `TextSpan`s of the stored body as the enricher finds them (written to
// JSON straight from the body's bytes) and `String`s as ``NewsEnrichment`` shows them.

/// A sum of money in yuan found in a story (`1.2亿元`, `约12万元`, `CNY 12 million`).
struct NewsAmount<Text: Sendable & Equatable>: Sendable, Equatable {
    /// The words as written, with any 约/近/人民币 before and 多/余/左右 around them.
    var text: Text
    var valueCNY: Double
    /// True for 多, 余, 约, 近, 逾, 左右, "about", "more than" and the like.
    var approximate: Bool
    /// Scalar offset of `text` in the stored body.
    var offset: Int

    /// Most yuan an amount may be (10^15, beyond any sum a story reports): larger figures, and
    /// those too large for a `Double`, are not taken as amounts, so no total can overflow.
    static var largest: Double { 1e15 }

    /// True for a value that can be an amount of money.
    static func isPlausible(_ valueCNY: Double) -> Bool { valueCNY.isFinite && valueCNY <= largest }

    /// The same amount with its text made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsAmount<T> { .init(text: f(text), valueCNY: valueCNY, approximate: approximate, offset: offset) }
}

/// How precisely a date is known.
enum DatePrecision: String, Sendable {
    case day, month, year
    /// 上旬, 中旬, 下旬, 初, 底, "early", "mid-", "late": part of the month, value `YYYY-MM`.
    case partOfMonth = "part_of_month"
}

/// A date found in a story.
struct NewsDate<Text: Sendable & Equatable>: Sendable, Equatable {
    var text: Text
    /// ISO 8601: `2023-05-24` (day), `2023-05` (month, part of month), `2023` (year).
    var value: String
    var precision: DatePrecision

    /// The same date with its text made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsDate<T> { .init(text: f(text), value: value, precision: precision) }
}

/// A counted quantity (`19名`, `700余人次`, `10万吨`): never money, a date or a percentage.
struct NewsQuantity<Text: Sendable & Equatable>: Sendable, Equatable {
    var text: Text
    var value: Double
    /// The measure word or unit (名, 人次, 吨) or, in English, the counted noun.
    var unit: String
    var approximate: Bool

    /// The same quantity with its text made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsQuantity<T> { .init(text: f(text), value: value, unit: unit, approximate: approximate) }
}

/// A percentage (`80%`, `百分之八十`, `12.5 percent`): `value` is 80 for 80%.
struct NewsPercent<Text: Sendable & Equatable>: Sendable, Equatable {
    var text: Text
    var value: Double

    /// The same percentage with its text made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsPercent<T> { .init(text: f(text), value: value) }
}

/// A place of the gazetteer named in a story.
struct NewsPlace<Text: Sendable & Equatable>: Sendable, Equatable {
    /// The name as first written (益阳, 吐鲁番市).
    var name: Text
    /// The full name of its province (湖南省); a province's is its own.
    var province: String

    /// The same place with its name made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsPlace<T> { .init(name: f(name), province: province) }
}

/// A person named right after a title (市委书记陈竞).
struct NewsPerson<Text: Sendable & Equatable>: Sendable, Equatable {
    var name: Text
    var title: Text

    /// The same person with name and title made by `f`.
    func withText<T>(_ f: (Text) -> T) -> NewsPerson<T> { .init(name: f(name), title: f(title)) }
}

/// Everything the enricher learns about a story; ``write(into:)`` writes the stored `enrichment` object
/// (`proto-json/schemas/enrichment-news.schema.json`).
struct NewsEnrichment: Sendable {
    /// The stored body, which the spans below point into.
    let text: ScalarText
    var language: News.Language
    var chars: Int
    /// The lead sentence (see ``LeadSentence``).
    var lead: LeadSentence.Lead
    var amountSpans: [NewsAmount<TextSpan>] = []
    var dateSpans: [NewsDate<TextSpan>] = []
    var quantitySpans: [NewsQuantity<TextSpan>] = []
    var percentSpans: [NewsPercent<TextSpan>] = []
    var placeSpans: [NewsPlace<TextSpan>] = []
    /// The organisations' names.
    var organizationSpans: [TextSpan] = []
    var personSpans: [NewsPerson<TextSpan>] = []
    var topics: [NewsTopic] = []
    var keywords: [String] = []

    /// The lead sentence, as ``write(into:)`` writes it.
    var summary: String { lead.truncated ? text.string(lead.span) + LeadSentence.ellipsis : text.string(lead.span) }

    // The mentions with their texts as `String`s, as ``write(into:)`` writes them.
    var amounts: [NewsAmount<String>] { amountSpans.map { $0.withText(text.string) } }
    var dates: [NewsDate<String>] { dateSpans.map { $0.withText(text.string) } }
    var quantities: [NewsQuantity<String>] { quantitySpans.map { $0.withText(text.string) } }
    var percents: [NewsPercent<String>] { percentSpans.map { $0.withText(text.string) } }
    var places: [NewsPlace<String>] { placeSpans.map { $0.withText(text.string) } }
    var organizations: [String] { organizationSpans.map(text.string) }
    var people: [NewsPerson<String>] { personSpans.map { $0.withText(text.string) } }

    /// Writes the enrichment object, members in a fixed order.
    func write(into out: inout JSONByteSink) {
        text.withSpanWriter { w in
            out.writeMember("{\"language\":", language.rawValue)
            out.writeMember(",\"chars\":", number: Double(chars))
            if lead.truncated {
                out.writeMember(",\"summary\":", summary)
            } else {
                w.writeMember(",\"summary\":", lead.span, into: &out)
            }
            out.writeArray(",\"amounts\":[", amountSpans) { a, out in
                w.writeMember("{\"text\":", a.text, into: &out)
                out.writeMember(",\"value_cny\":", number: a.valueCNY)
                out.append(a.approximate ? ",\"approximate\":true,\"offset\":" : ",\"approximate\":false,\"offset\":")
                out.writeNumber(Double(a.offset))
                out.append(UInt8(ascii: "}"))
            }
            out.writeArray(",\"dates\":[", dateSpans) { d, out in
                w.writeMember("{\"text\":", d.text, into: &out)
                out.writeMember(",\"value\":", d.value)
                out.writeMember(",\"precision\":", d.precision.rawValue)
                out.append(UInt8(ascii: "}"))
            }
            out.writeArray(",\"quantities\":[", quantitySpans) { q, out in
                w.writeMember("{\"text\":", q.text, into: &out)
                out.writeMember(",\"value\":", number: q.value)
                out.writeMember(",\"unit\":", q.unit)
                out.append(q.approximate ? ",\"approximate\":true}" : ",\"approximate\":false}")
            }
            out.writeArray(",\"percents\":[", percentSpans) { p, out in
                w.writeMember("{\"text\":", p.text, into: &out)
                out.writeMember(",\"value\":", number: p.value)
                out.append(UInt8(ascii: "}"))
            }
            out.writeArray(",\"places\":[", placeSpans) { p, out in
                w.writeMember("{\"name\":", p.name, into: &out)
                out.writeMember(",\"province\":", p.province)
                out.append(UInt8(ascii: "}"))
            }
            out.writeArray(",\"organizations\":[", organizationSpans) { o, out in w.write(o, into: &out) }
            out.writeArray(",\"people\":[", personSpans) { p, out in
                w.writeMember("{\"name\":", p.name, into: &out)
                w.writeMember(",\"title\":", p.title, into: &out)
                out.append(UInt8(ascii: "}"))
            }
            out.writeArray(",\"topics\":[", topics) { t, out in out.writeString(t.name) }
            out.writeArray(",\"keywords\":[", keywords) { k, out in out.writeString(k) }
            out.append(UInt8(ascii: "}"))
        }
    }
}
