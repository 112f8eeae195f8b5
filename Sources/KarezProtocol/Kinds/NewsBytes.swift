/// A story read straight from its JSON bytes by ``News/read(bytes:)``: every member but the body
/// checked as the schema asks; the body's bytes left for the caller to check (UTF-8, length) in
/// the same pass that decodes them; and the members' document order, so the story can be written
/// back exactly as the tree path writes it.
public struct NewsRead: Sendable {
    /// The members of a story.
    public enum Member: UInt8, Sendable {
        case id, kind, title, body, language, source, publishedAt, url, author, tags
    }

    /// The story, with an empty `body`: its text is ``body``.
    public var news: News
    /// The body's UTF-8 with escapes resolved, not yet checked.
    public var body: [UInt8]
    /// Where the body's JSON string lies in the input (quotes included) when it is exactly what
    /// ``JSONByteSink`` writes for its text, so the stored story can copy it (or a prefix of it,
    /// when page chrome is cut) instead of escaping the text again.
    public var bodyJSON: Range<Int>?
    /// `published_at` as written.
    public var publishedAtText: String?
    /// The members present, in document order.
    public var order: [Member]

    /// Writes the story as compact JSON, members in document order, with `body` (valid UTF-8,
    /// such as the body without page chrome) as its body: the bytes ``JSONWriter`` writes for the
    /// parsed story with that body.
    public func write(body: UnsafeRawBufferPointer, into out: inout JSONByteSink) {
        write(into: &out) { $0.writeString(utf8: body) }
    }

    /// As ``write(body:into:)`` with the body given as the writer escapes it, without quotes:
    /// the input's bytes within ``bodyJSON``, or a prefix of them.
    public func write(escapedBody: UnsafeRawBufferPointer, into out: inout JSONByteSink) {
        write(into: &out) {
            $0.append(UInt8(ascii: "\""))
            $0.append(escapedBody)
            $0.append(UInt8(ascii: "\""))
        }
    }

    private func write(into out: inout JSONByteSink, body writeBody: (inout JSONByteSink) -> Void) {
        out.append(UInt8(ascii: "{"))
        for (i, member) in order.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            switch member {
            case .id: out.writeMember("\"id\":", news.id)
            case .kind: out.append("\"kind\":\"news\"")
            case .title: out.writeMember("\"title\":", news.title)
            case .body: out.append("\"body\":"); writeBody(&out)
            // The optional members are in `order` only when present.
            case .language: out.writeMember("\"language\":", news.language?.rawValue ?? "")
            case .source: out.writeMember("\"source\":", news.source ?? "")
            case .publishedAt: out.writeMember("\"published_at\":", publishedAtText ?? "")
            case .url: out.writeMember("\"url\":", news.url ?? "")
            case .author: out.writeMember("\"author\":", news.author ?? "")
            case .tags: out.writeArray("\"tags\":[", news.tags) { tag, out in out.writeString(tag) }
            }
        }
        out.append(UInt8(ascii: "}"))
    }
}

extension News {
    /// Reads a story straight from its JSON bytes when every member but the body is valid
    /// against the schema; nil otherwise, or for JSON this path leaves to the parser (escaped
    /// member names, repeated members): ``decode(_:)`` over the parsed tree then gives the
    /// verdict. The body must still be checked: valid UTF-8 of 1 to 1,000,000 scalars.
    public static func read(bytes: UnsafeRawBufferPointer) -> NewsRead? {
        var r = JSONReader(bytes)
        guard r.beginObject() else { return nil }
        var id: String?, title: String?, body: [UInt8]?, bodyJSON: Range<Int>?, language: Language?, source: String?
        var published: PublishedAt?, publishedText: String?, url: String?, author: String?, tags: [String] = []
        var order: [NewsRead.Member] = []
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard r.atEnd(), let id, let title, let body else { return nil }
                let news = News(id: id, title: title, body: "", language: language, source: source, publishedAt: published,
                                url: url, author: author, tags: tags)
                return NewsRead(news: news, body: body, bodyJSON: bodyJSON, publishedAtText: publishedText, order: order)
            }
            let m: NewsRead.Member
            if key.equals("id") {
                m = .id
                guard let s = r.itemID() else { return nil }
                id = s
            } else if key.equals("kind") {
                m = .kind
                guard r.string() == schemaName else { return nil }
            } else if key.equals("title") {
                m = .title
                guard let s = r.string(max: 500) else { return nil }
                title = s
            } else if key.equals("body") {
                m = .body
                guard let b = r.stringBytes(json: &bodyJSON) else { return nil }
                body = b
            } else if key.equals("language") {
                m = .language
                guard let s = r.string(), let l = Language(rawValue: s) else { return nil }
                language = l
            } else if key.equals("source") {
                m = .source
                guard let s = r.string(max: 200) else { return nil }
                source = s
            } else if key.equals("published_at") {
                m = .publishedAt
                guard let s = r.string() else { return nil }
                if let d = CalendarDate.parse(s) { published = .date(d) } else if let t = Timestamp.parse(s) { published = .timestamp(t) } else { return nil }
                publishedText = s
            } else if key.equals("url") {
                m = .url
                guard let s = r.string(max: 2048), Patterns.isURL(s) else { return nil }
                url = s
            } else if key.equals("author") {
                m = .author
                guard let s = r.string(max: 200) else { return nil }
                author = s
            } else if key.equals("tags") {
                m = .tags
                guard let t = r.strings(maxCount: 50, where: { SchemaChecker.fits($0, max: 64) }) else { return nil }
                tags = t
            } else {
                return nil
            }
            guard seen.insert(Int(m.rawValue)) else { return nil }
            order.append(m)
        }
        return nil
    }
}
