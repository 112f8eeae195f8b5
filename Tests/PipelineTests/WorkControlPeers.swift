import Foundation
import KarezProtocol
import ZeroMQ

/// A worker speaking KZ1 itself (no Karez worker code), for tests that watch dispatch: what it
/// gets, when, in which order.
final class RawWorker {
    struct Received {
        let delivery: UInt64
        let id: String
        let attempt: Int
        let traceparent: String?
        let at: ContinuousClock.Instant
    }

    let socket: Socket
    private let hello: Hello
    /// Every job received so far, in order.
    private(set) var received: [Received] = []
    /// Deliveries the broker cancelled (`CANCEL`).
    private(set) var cancelled: [UInt64] = []

    init(_ context: Context, back: String, name: String, accepts: Bool = true) throws {
        socket = try Socket(context, .dealer)
        try socket.set(.linger(.zero))
        try socket.set(.receiveTimeout(.milliseconds(5)))
        try socket.connect(back)
        hello = Hello(name: name, host: "test", pid: 1, incarnation: UUID().uuidString, concurrency: 1, version: "test",
                      accepts: accepts ? Hello.extensions : nil)
        try send(.hello(hello))
        _ = try waitFor("WELCOME", timeout: .seconds(10))
    }

    func send(_ m: WorkerMessage) throws { try socket.send(parts: m.frames) }

    func credit(_ n: Int) throws { try send(.credit(n)) }

    /// Reads what arrives for `duration`, recording jobs and answering heartbeats.
    func pump(for duration: Duration) throws { _ = try waitFor("", timeout: duration) }

    /// Reads what arrived for up to `timeout`, recording jobs; returns the message that ended the
    /// wait when its command is `command` (`JOB` also matches `JOBX`), nil on timeout.
    /// Heartbeats are answered.
    @discardableResult
    func waitFor(_ command: String, timeout: Duration) throws -> [[UInt8]]? {
        let deadline = ContinuousClock.now + timeout
        repeat {
            guard var parts = try socket.receiveParts(wait: true), parts.count >= 2 else { continue }
            // A packed message (PROTOCOL.md 2.5: it accepts PACK) as the command it packs.
            let raw = ByteFrames(parts)
            if Pack.isPacked(raw), case .success(let unpacked) = Pack.unpack(raw) { parts = (0..<unpacked.frameCount).map { Array(unpacked.frame($0)) } }
            let name = String(decoding: parts[1], as: UTF8.self)
            switch name {
            case "JOB", "JOBX":
                let per = name == "JOBX" ? 6 : 5
                let now = ContinuousClock.now
                for i in stride(from: 2, to: parts.count, by: per) {
                    let trace = per == 6 && !parts[i + 4].isEmpty
                        ? (try? JSONParser.parse(parts[i + 4]))?["traceparent"]?.stringValue : nil
                    received.append(Received(delivery: UInt64(String(decoding: parts[i], as: UTF8.self))!, id: String(decoding: parts[i + 1], as: UTF8.self),
                                             attempt: Int(String(decoding: parts[i + 3], as: UTF8.self))!, traceparent: trace, at: now))
                }
            case "CANCEL": cancelled += parts.dropFirst(2).compactMap { UInt64(String(decoding: $0, as: UTF8.self)) }
            case "HB": try send(.heartbeat)
            default: break
            }
            if name == command || (command == "JOB" && name == "JOBX") { return parts }
        } while ContinuousClock.now < deadline
        return nil
    }

    /// Waits until `count` jobs in all have arrived; false on timeout.
    func waitForJobs(_ count: Int, timeout: Duration) throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while received.count < count && ContinuousClock.now < deadline { try waitFor("JOB", timeout: .milliseconds(20)) }
        return received.count >= count
    }

    func close() { socket.close() }
}

/// A producer speaking KZ1 itself: publishes with `PUBX`/`PUBXW` and records each reply by id,
/// with the time it came.
final class RawProducer {
    let socket: Socket
    /// Per id: the command (ACK, DUP, NAK, BUSY) or `FIN outcome`, with its time, in order.
    private(set) var replies: [String: [(String, ContinuousClock.Instant)]] = [:]

    init(_ context: Context, front: String) throws {
        socket = try Socket(context, .dealer)
        try socket.set(.linger(.zero))
        try socket.set(.receiveTimeout(.milliseconds(5)))
        try socket.connect(front)
    }

    func publish(_ items: [PublishedItem], watch: Bool = true) throws {
        try socket.send(parts: FrontRequest.publish(items, watch: watch).frames)
    }

    /// Reads replies until `id` has one starting with `prefix`; its time, or nil on timeout.
    func waitFor(_ id: String, _ prefix: String, timeout: Duration = .seconds(10)) throws -> ContinuousClock.Instant? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let hit = replies[id]?.first(where: { $0.0.hasPrefix(prefix) }) { return hit.1 }
            guard ContinuousClock.now < deadline else { return nil }
            guard let parts = try socket.receiveParts(wait: true), parts.count >= 3 else { continue }
            let now = ContinuousClock.now
            let command = String(decoding: parts[1], as: UTF8.self)
            switch command {
            case "ACK", "BUSY", "FIN":
                let label = command == "FIN" ? "FIN " + String(decoding: parts[2], as: UTF8.self) : command
                for p in parts.dropFirst(3) { replies[String(decoding: p, as: UTF8.self), default: []].append((label, now)) }
            case "DUP": for p in parts.dropFirst(2) { replies[String(decoding: p, as: UTF8.self), default: []].append(("DUP", now)) }
            case "NAK": replies[String(decoding: parts[2], as: UTF8.self), default: []].append(("NAK " + String(decoding: parts[3], as: UTF8.self), now))
            default: break
            }
        }
    }

    func close() { socket.close() }
}

/// An operator's `CTL` request and the broker's `CTLOK` answer (or the `ERR`'s body).
func control(_ context: Context, _ front: String, _ request: ControlRequest) throws -> JSONValue {
    let s = try Socket(context, .dealer)
    defer { s.close() }
    try s.set(.linger(.zero))
    try s.set(.receiveTimeout(.seconds(10)))
    try s.connect(front)
    try s.send(parts: FrontRequest.control(request).frames)
    guard let parts = try s.receiveParts(wait: true), parts.count == 3 else { throw PipelineTestError("no answer to CTL \(request)") }
    return try JSONParser.parse(parts[2])
}

/// A minimal item body of a kind (the broker never parses it).
func rawItem(_ id: String, kind: String = "news", options: ItemOptions = ItemOptions()) -> PublishedItem {
    PublishedItem(id: id, kind: kind, body: Array(#"{"id":"\#(id)","title":"t","body":"b"}"#.utf8), options: options)
}
