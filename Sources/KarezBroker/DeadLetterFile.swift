import Foundation
import KarezProtocol

/// The dead-letter list: one JSON line per item that will not be retried, with its reason.
/// Appended and fsynced before the journal records the item as finished.
public final class DeadLetterFile {
    public let url: URL
    private let handle: FileHandle

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

    /// Every dead letter in the file, oldest first.
    public static func read(_ url: URL) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONParser.parse(Array($0)) }
    }
}
