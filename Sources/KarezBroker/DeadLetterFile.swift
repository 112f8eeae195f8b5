import Foundation
import KarezProtocol

/// The dead-letter list: one JSON line per item that will not be retried, with its reason.
/// Appended and fsynced before the journal records the item as finished.
///
/// No body is kept in clear: `body` is the kind's redacted form (personal data replaced, for
/// `karez dlq show`), and `sealed` the original encrypted with the folder's ``DeadLetterSeal``
/// (for `DLQ REQUEUE`). Lines of older versions that kept the body in clear are rewritten so
/// when the file is opened.
public final class DeadLetterFile {
    public let url: URL
    private var handle: FileHandle
    private let seal: DeadLetterSeal
    private let redact: @Sendable (_ kind: String, _ body: [UInt8]) -> [UInt8]

    /// - Parameter redact: the kinds' redaction of a body (personal data replaced).
    public init(url: URL, redact: @escaping @Sendable (_ kind: String, _ body: [UInt8]) -> [UInt8]) throws {
        self.url = url
        self.redact = redact
        seal = try DeadLetterSeal(keyURL: url.deletingLastPathComponent().appendingPathComponent("dead-letters.key"))
        if !FileManager.default.fileExists(atPath: url.path) {
            guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
                throw BrokerError(.io, "cannot create the dead-letter file \(url.path)")
            }
        }
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
        try sealOldLines()
    }

    /// The original body of a dead letter (for requeue), or nil when it cannot be recovered.
    public func originalBody(_ letter: JSONValue) -> [UInt8]? {
        guard let sealed = letter["sealed"]?.stringValue, let id = letter["id"]?.stringValue, let kind = letter["kind"]?.stringValue else { return nil }
        return seal.opened(sealed, id: id, kind: kind)
    }

    /// Rewrites lines that hold a body in clear (files of older versions).
    private func sealOldLines() throws {
        let all = try Self.read(url)
        guard all.contains(where: { $0["sealed"] == nil && $0["body"] != nil }) else { return }
        let rewritten = all.map { letter -> JSONValue in
            guard case .object(var o) = letter, o["sealed"] == nil, let body = o["body"]?.stringValue else { return letter }
            let bytes = Array(body.utf8)
            o["body"] = .string(String(decoding: redact(o["kind"]?.stringValue ?? "", bytes), as: UTF8.self))
            o["sealed"] = .string(seal.sealed(bytes, id: o["id"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? ""))
            return .object(o)
        }
        try replace(with: rewritten)
    }

    deinit { try? handle.close() }

    /// Appends items and syncs the file.
    public func append(_ letters: [BrokerCore.DeadLetter], now: UInt64) throws {
        var out: [UInt8] = []
        for l in letters {
            let line: JSONValue = .object(JSONObject([
                ("id", .string(l.item.id)), ("kind", .string(l.item.kind)), ("attempts", .number(Double(l.attempts))),
                ("dead_at_ms", .number(Double(now))), ("enqueued_at_ms", .number(Double(l.item.enqueuedMillis))),
                ("reason", l.reason.json), ("body", .string(String(decoding: redact(l.item.kind, l.item.body), as: UTF8.self))),
                ("sealed", .string(seal.sealed(l.item.body, id: l.item.id, kind: l.item.kind))),
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
        try replace(with: kept)
        return gone
    }

    /// Rewrites the file to hold `letters`: a temporary file, synced and renamed over the old one.
    private func replace(with letters: [JSONValue]) throws {
        var out: [UInt8] = []
        for letter in letters { JSONWriter.write(letter, into: &out); out.append(0x0A) }
        let temp = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temp.path, contents: Data(out), attributes: [.posixPermissions: 0o600]) else {
            throw BrokerError(.io, "cannot write \(temp.path)")
        }
        let h = try FileHandle(forWritingTo: temp)
        try h.synchronize()
        try h.close()
        guard rename(temp.path, url.path) == 0 else { throw BrokerError(.io, "cannot replace \(url.path): errno \(errno)") }
        try handle.close()
        handle = try FileHandle(forWritingTo: url)
        try handle.seekToEnd()
    }

    /// Every dead letter in the file, oldest first.
    public static func read(_ url: URL) throws -> [JSONValue] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [] }
        return data.split(separator: 0x0A).compactMap { try? JSONParser.parse(Array($0)) }
    }
}
