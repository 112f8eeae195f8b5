import CZMQBaseline
import Foundation
import ZeroMQ

/// The messaging patterns the transport benchmark measures.
public enum TransportPattern: String, Sendable, CaseIterable, Codable {
    case pushPull = "push-pull"
    case dealerRouter = "dealer-router"
}

/// One measured run: messages received and the seconds they took.
public struct TransportRun: Sendable, Codable {
    public var messages: Int
    public var seconds: Double
    /// Messages per second.
    public var rate: Double { seconds > 0 ? Double(messages) / seconds : 0 }
}

/// Measures one-way throughput of a pattern over loopback TCP, through the Swift ``ZeroMQ``
/// layer and through the same pattern written in C against libzmq.
///
/// Both sides do the same thing: a sender thread connects and sends `count` frames of `size`
/// bytes; the receiver (the calling thread) binds and receives them. The clock runs from the
/// first message received to the last, so connection setup is not measured.
public struct TransportBenchmark: Sendable {
    public var pattern: TransportPattern
    public var size: Int
    public var count: Int
    public var endpoint: String

    public init(pattern: TransportPattern, size: Int, count: Int, endpoint: String = "tcp://127.0.0.1:*") {
        self.pattern = pattern
        self.size = size
        self.count = count
        self.endpoint = endpoint
    }

    /// Runs the C baseline once.
    public func runC() throws -> TransportRun {
        let r = kz_baseline_run(pattern == .pushPull ? KZ_PATTERN_PUSH_PULL : KZ_PATTERN_DEALER_ROUTER,
                                endpoint, size, count)
        if r.error != 0 { throw ZMQError(code: r.error, operation: "C baseline \(pattern.rawValue)") }
        return TransportRun(messages: r.messages, seconds: r.seconds)
    }

    /// Runs the Swift layer once.
    public func runSwift() throws -> TransportRun {
        let context = try Context()
        let receiver = try Socket(context, pattern == .pushPull ? .pull : .router)
        defer { receiver.close() }
        try receiver.bind(endpoint)
        let target = try receiver.lastEndpoint()
        let sender = SenderThread(context: context, pattern: pattern, endpoint: target, size: size, count: count)
        sender.start()
        let frames = pattern == .pushPull ? 1 : 2
        let message = Message()
        var start = ContinuousClock.now
        for i in 0..<count {
            for _ in 0..<frames { try receiver.receive(into: message) }
            if i == 0 { start = .now }
        }
        let elapsed = ContinuousClock.now - start
        try sender.join()
        let (s, atto) = elapsed.components
        return TransportRun(messages: count - 1, seconds: Double(s) + Double(atto) / 1e18)
    }
}

/// The sending side of a Swift run: a thread that creates, uses and closes its own socket.
private final class SenderThread: Sendable {
    private let context: Context
    private let pattern: TransportPattern
    private let endpoint: String
    private let size: Int
    private let count: Int
    private let finished = DispatchSemaphore(value: 0)
    private let failure = LockedBox<ZMQError?>(nil)

    init(context: Context, pattern: TransportPattern, endpoint: String, size: Int, count: Int) {
        self.context = context
        self.pattern = pattern
        self.endpoint = endpoint
        self.size = size
        self.count = count
    }

    func start() {
        Thread { [self] in
            do {
                let socket = try Socket(context, pattern == .pushPull ? .push : .dealer)
                defer { socket.close() }
                try socket.set(.linger(nil))
                try socket.connect(endpoint)
                let payload = [UInt8](repeating: UInt8(ascii: "k"), count: size)
                try payload.withUnsafeBytes { bytes in
                    for _ in 0..<count { try socket.send(bytes) }
                }
            } catch let error as ZMQError {
                failure.value = error
            } catch {
                failure.value = ZMQError(code: -1, operation: "\(error)")
            }
            finished.signal()
        }.start()
    }

    func join() throws {
        finished.wait()
        if let error = failure.value { throw error }
    }
}
