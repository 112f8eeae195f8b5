import Foundation
import KarezProtocol

/// The dead-letter list: one JSON line per item that will not be retried, with its reason.
/// Appended and fsynced before the journal records the item as finished.
public final class DeadLetterFile {
    public let url: URL
    private var handle: FileHandle

    public init(url: URL) throws {
        self.url = url
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
                throw BrokerError("cannot create the dead-letter file \(url.path)")
            }
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    deinit { try? handle.close() }

    /// Appends items and syncs the file.
    public func append(_ letters: [BrokerCore.DeadLetter], now: UInt64) throws {
        var out: [UInt8] = []
        for l in letters {
            let line: JSONValue = .object(JSONObject([
                ("id", .string(l.item.id)), ("kind", .string(l.item.kind)), ("attempts", .number(Double(l.attempts))),
                ("dead_at_ms", .number(Double(now))), ("enqueued_at_ms", .number(Double(l.item.enqueuedMillis))),
                ("reason", l.reason.json), ("body", .string(String(decoding: l.item.body, as: UTF8.self))),
            ]))
            JSONWriter.write(line, into: &out)
            out.append(0x0A)
        }
        try handle.write(contentsOf: out)
        try handle.synchronize()
    }

    /// Removes the dead letters with the given ids (all when `ids` is nil) and returns them.
    /// The file is rewritten to a temporary file, synced and renamed over the old one.
    public func remove(ids: Set<String>?) throws -> [JSONValue] {
        let all = try Self.read(url)
        let (gone, kept) = all.reduce(into: ([JSONValue](), [JSONValue]())) { acc, letter in
            if ids.map({ $0.contains(letter["id"]?.stringValue ?? "") }) ?? true { acc.0.append(letter) } else { acc.1.append(letter) }
        }
        guard !gone.isEmpty else { return [] }
        var out: [UInt8] = []
        for letter in kept { JSONWriter.write(letter, into: &out); out.append(0x0A) }
        let temp = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(out)) else {
            throw BrokerError("cannot write \(temp.path)")
        }
        let h = try FileHandle(forWritingTo: temp)
        try h.synchronize()
        try h.close()
        guard rename(temp.path, url.path) == 0 else { throw BrokerError("cannot replace \(url.path): errno \(errno)") }
        try handle.close()
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        return gone
    }

    /// Every dead letter in the file, oldest first.
    public static func read(_ url: URL) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONParser.parse(Array($0)) }
    }
}
