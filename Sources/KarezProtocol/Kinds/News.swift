/// A news story (kind `news`), Chinese or English.
public struct News: SchemaBody, Equatable {
    public static let schemaName = "news"

    public enum Language: String, Sendable { case zh, en }

    /// When a story was published: a date, or a date and time with its zone.
    public enum PublishedAt: Sendable, Equatable {
        case date(CalendarDate)
        case timestamp(Timestamp)
        /// The local calendar date either way.
        public var date: CalendarDate {
            switch self {
            case .date(let d): d
            case .timestamp(let t): t.date
            }
        }
    }

    public var id: String
    public var title: String
    public var body: String
    public var language: Language?
    public var source: String?
    public var publishedAt: PublishedAt?
    public var url: String?
    public var author: String?
    public var tags: [String]

    /// The most scalars a body may have (the schema's `maxLength`); at least one is required.
    public static let bodyMaxLength = 1_000_000

    public static let required = ["id", "title", "body"]
    public static let optional = ["kind", "language", "source", "published_at", "url", "author", "tags"]

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> News? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: required, optional: optional)
        c.constant(o, "kind", at: "", schemaName)
        let id = ItemID.check(o, &c)
        let title = c.string(o, "title", at: "", max: 500)
        let body = c.string(o, "body", at: "", max: bodyMaxLength)
        let language = c.oneOf(o, "language", at: "", ["zh", "en"]).flatMap(Language.init(rawValue:))
        let source = c.string(o, "source", at: "", max: 200)
        var published: PublishedAt?
        if let text = c.string(o, "published_at", at: "", min: 0, max: .max) {
            if let d = CalendarDate.parse(text) { published = .date(d) }
            else if let t = Timestamp.parse(text) { published = .timestamp(t) }
            else { c.fail("/published_at", "format", "\"\(text)\" is neither a date (YYYY-MM-DD) nor an RFC 3339 date-time") }
        }
        let url = c.string(o, "url", at: "", max: 2048, pattern: Patterns.isURL, patternHint: "an http:// or https:// URL without spaces")
        let author = c.string(o, "author", at: "", max: 200)
        var tags: [String] = []
        if let items = c.array(o, "tags", at: "", maxItems: 50) {
            for (i, item) in items.enumerated() {
                if let t = c.string(item, at: JSONPointer.append("/tags", i), max: 64) { tags.append(t) }
            }
        }
        guard c.isValid, let id, let title, let body else { return nil }
        return News(id: id, title: title, body: body, language: language, source: source, publishedAt: published,
                    url: url, author: author, tags: tags)
    }
}
