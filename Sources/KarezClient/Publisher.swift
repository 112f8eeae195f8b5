import Foundation
import KarezProtocol
import KarezWire
import ZeroMQ

/// Publishes items to a Karez broker with a window of unacknowledged items, retrying what the
/// broker did not answer (a broker restart) or answered BUSY. Safe to retry: the broker's
/// dedup window turns a repeat into `DUP`, which counts as acknowledged.
///
/// Thread-confined like its socket: create and use it on one thread.
public final class Publisher {
    /// What happened to one item in the end.
    public enum Outcome: Sendable, Equatable {
        case acknowledged(id: String, durability: Durability)
        case duplicate(id: String)
        case refused(id: String, ErrorBody)
        /// With ``watch``: the item was processed (`done`) or dead-lettered (`dead`).
        case finished(id: String, FinOutcome)
    }

    /// Totals of a ``publish(_:onOutcome:)`` run.
    public struct Summary: Sendable, Equatable {
        public var published = 0, acknowledged = 0, refused = 0, duplicates = 0, retried = 0
        /// With ``watch``: items finished done or dead, and acknowledged items with no `FIN`
        /// within `giveUpAfter` (sent again meanwhile, see ``rewatchAfter``).
        public var done = 0, dead = 0, unfinished = 0
        public var seconds = 0.0
        public var rate: Double { seconds > 0 ? Double(acknowledged + duplicates + refused) / seconds : 0 }
    }

    private let socket: Socket
    private let message = Multipart()
    /// Most items sent and not yet answered.
    public var window = 20_000
    /// Items per PUB message.
    public var batch = 1000
    /// Resend an item not answered within this long (a broker restart loses unsent ACKs).
    public var resendAfter: Duration = .seconds(5)
    /// Publish with `PUBW` and wait until every acknowledged item is finished (`FIN`).
    public var watch = false
    /// With ``watch``: when no `FIN` came for this long (doubling up to a minute), the items
    /// still unfinished are sent again with `PUBW`. A restarted broker forgot who watches them;
    /// it answers `DUP` and then their `FIN`, at once for those finished meanwhile.
    public var rewatchAfter: Duration = .seconds(5)

    /// Connects (in the background) to the broker's front endpoint.
    /// - Parameter curve: this producer's keys and the broker's public key, for a CURVE broker.
    public init(context: Context, endpoint: String, curve: CurveClientKeys? = nil) throws {
        socket = try Socket(context, .dealer)
        try curve?.apply(to: socket)
        try socket.set(.linger(.milliseconds(0)))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        try socket.set(.reconnect(interval: .milliseconds(100), max: .seconds(1)))
        try socket.connect(endpoint)
    }

    deinit { socket.close() }

    /// Asks the broker who it is; nil when it does not answer within `timeout`.
    public func ping(timeout: Duration) throws -> Pong? {
        try socket.send(parts: FrontRequest.ping.frames)
        let deadline = ContinuousClock.now + timeout
        var poller = Poller()
        poller.add(socket)
        while ContinuousClock.now < deadline {
            try poller.poll(timeout: deadline - .now)
            while try socket.receive(into: message, wait: false) {
                if case .success(.pong(let pong)) = FrontReply.decode(FramesView(message)) { return pong }
            }
        }
        return nil
    }

    /// Publishes every item, calling `onOutcome` once per item as answers arrive.
    /// - Parameter giveUpAfter: stop waiting when the broker has been silent this long.
    public func publish<S: Sequence>(_ items: S, giveUpAfter: Duration = .seconds(60),
                                      onOutcome: (Outcome) -> Void) throws -> Summary where S.Element == PublishedItem {
        let start = ContinuousClock.now
        var source = items.makeIterator()
        var exhausted = false
        var run = PublishProgress(watch: watch)
        var lastHeard = ContinuousClock.now
        var lastFin = ContinuousClock.now
        var rewatchWait = rewatchAfter
        var lastStaleCheck = ContinuousClock.now
        var poller = Poller()
        poller.add(socket)

        func send(_ batch: [PublishedItem]) throws {
            guard !batch.isEmpty else { return }
            try socket.send(to: [], FrontRequest.publish(batch, watch: watch), wait: true)
            let now = ContinuousClock.now
            for item in batch { run.outstanding.insert(item, sentAt: now) }
        }

        while true {
            // Fill the window: retries first, then new items.
            var pending: [PublishedItem] = []
            let now = ContinuousClock.now
            while run.outstanding.count + pending.count < window, let i = run.retryQueue.firstIndex(where: { $0.due <= now }) {
                pending.append(run.retryQueue.remove(at: i).item)
                run.summary.retried += 1
                if pending.count == batch { try send(pending); pending.removeAll() }
            }
            while !exhausted && run.outstanding.count + pending.count < window {
                guard let item = source.next() else { exhausted = true; break }
                run.summary.published += 1
                pending.append(item)
                if pending.count == batch { try send(pending); pending.removeAll() }
            }
            try send(pending)
            if exhausted && run.outstanding.isEmpty && run.retryQueue.isEmpty {
                if run.watching.isEmpty { break }
                if ContinuousClock.now - lastFin > giveUpAfter {
                    run.summary.unfinished = run.watching.count
                    break
                }
                if ContinuousClock.now - lastFin > rewatchWait {
                    // No FIN for a while: the broker may have restarted. Ask again.
                    for item in run.watching.values { run.retryQueue.append((.now, item)) }
                    lastFin = .now
                    rewatchWait = min(rewatchWait * 2, .seconds(60))
                }
            }

            try poller.poll(timeout: .milliseconds(50))
            while try socket.receive(into: message, wait: false) {
                lastHeard = .now
                let frames = FramesView(message)
                if let header = FrontReply.idListHeader(frames) {
                    // Ids are looked up straight from the frames.
                    guard case .success(let (header, first)) = header else { continue }
                    if case .finished = header {
                        lastFin = .now
                        rewatchWait = rewatchAfter
                    }
                    for i in first..<frames.frameCount { run.settle(header, id: frames.frame(i), onOutcome: onOutcome) }
                } else if case .success(.nak(let id, let error)) = FrontReply.decode(frames) {
                    run.refuse(id: String(decoding: id, as: UTF8.self), error, onOutcome: onOutcome)
                }
            }
            // Unanswered for too long: send again (the dedup window makes that safe).
            if ContinuousClock.now - lastStaleCheck > .milliseconds(500) {
                lastStaleCheck = .now
                for item in run.outstanding.removeSent(before: .now - resendAfter) { run.retryQueue.append((.now, item)) }
            }
            if ContinuousClock.now - lastHeard > giveUpAfter && !run.outstanding.isEmpty {
                throw BrokerUnreachable(waiting: run.outstanding.count + run.retryQueue.count, silence: giveUpAfter)
            }
        }
        var summary = run.summary
        let (s, a) = (ContinuousClock.now - start).components
        summary.seconds = Double(s) + Double(a) / 1e18
        return summary
    }
}

/// The broker stopped answering while items were still waiting.
public struct BrokerUnreachable: Error, CustomStringConvertible {
    public let waiting: Int
    public let silence: Duration
    public var description: String { "the broker did not answer for \(silence); \(waiting) items were not acknowledged" }
}
