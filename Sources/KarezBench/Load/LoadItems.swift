import Foundation
import KarezDomain
import KarezProtocol

/// Makes the items of a load run: a few templates (generated, or lines of a file) whose `id`
/// is replaced per item, so any number of items costs two byte copies each.
public struct LoadItems: Sendable {
    private let templates: [(prefix: [UInt8], rest: [UInt8])]
    public let kind: String
    /// Mean body size in bytes.
    public let meanBytes: Int
    /// Item n gets priority n × 7 mod this (1: every item priority 0, published with `PUB`).
    private let priorities: Int
    /// Every item's delay (`PUBX` `delay_ms`), 0 for none.
    private let delayMillis: UInt64

    /// Templates for `settings` (throws when the file cannot be read or has no JSON objects).
    public init(_ settings: LoadSettings) throws {
        kind = settings.wireKind
        (priorities, delayMillis) = (max(1, settings.priorities), settings.delayMillis)
        var objects: [JSONObject] = []
        if let file = settings.file {
            guard let data = FileManager.default.contents(atPath: file) else { throw LoadError("cannot read \(file)") }
            for line in data.split(separator: 0x0A) where !line.isEmpty {
                guard let o = (try? JSONParser.parse(Array(line)))?.objectValue else { throw LoadError("\(file): a line is not a JSON object") }
                objects.append(o)
                if objects.count == 10_000 { break }
            }
            guard !objects.isEmpty else { throw LoadError("\(file) has no items") }
        } else if kind == "news" {
            objects = [JSONObject([("title", .string(ReferenceStory.title)), ("body", .string(ReferenceStory.body)),
                                   ("language", .string(ReferenceStory.language)), ("source", .string(ReferenceStory.source)),
                                   ("published_at", .string(ReferenceStory.publishedAt))])]
        } else {
            objects = SyntheticData.items(KindRegistry[kind]?.generate == nil ? "patient" : kind, count: 1000, seed: 11).compactMap(\.objectValue)
        }
        let made: [(prefix: [UInt8], rest: [UInt8])] = objects.map { o in
            var rest = o
            rest["id"] = nil
            rest["kind"] = nil
            if settings.file == nil { rest = ItemPadding.padded(rest, toBytes: settings.itemBytes, idBytes: 28) }
            let body = JSONWriter.bytes(.object(rest))
            // {"id":"<id>", + the other members (or } when there are none)
            return (Array(#"{"id":""#.utf8), body.count > 2 ? [UInt8](#"","#.utf8) + body.dropFirst() : Array(#""}"#.utf8))
        }
        let sample = made.prefix(100).map { $0.prefix.count + $0.rest.count + 20 }
        meanBytes = sample.reduce(0, +) / max(1, sample.count)
        templates = made
    }

    /// Item `n` with id `id`.
    public func item(_ n: Int, id: String) -> PublishedItem {
        let t = templates[n % templates.count]
        var body = t.prefix
        body.reserveCapacity(t.prefix.count + id.utf8.count + t.rest.count)
        body.append(contentsOf: id.utf8)
        body.append(contentsOf: t.rest)
        guard priorities > 1 || delayMillis > 0 else { return PublishedItem(id: id, kind: kind, body: body) }
        // Priorities mixed item by item (×7 walks all ten levels before repeating one).
        return PublishedItem(id: id, kind: kind, body: body,
                             options: ItemOptions(start: delayMillis > 0 ? .after(milliseconds: delayMillis) : nil, priority: n * 7 % priorities))
    }
}

/// A load run that cannot start or finish, with a one-line reason.
public struct LoadError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
