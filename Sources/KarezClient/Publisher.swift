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
        /// With ``watch``: the item was processed (`done`), dead-lettered (`dead`), expired or cancelled.
        case finished(id: String, FinOutcome)
    }

    /// Totals of a ``publish(_:onOutcome:)`` run.
    public struct Summary: Sendable, Equatable {
        public var published = 0, acknowledged = 0, refused = 0, duplicates = 0, retried = 0
        /// With ``watch``: items finished done or dead, and acknowledged items with no `FIN`
        /// within `giveUpAfter` (sent again meanwhile, see ``rewatchAfter``).
        public var done = 0, dead = 0, unfinished = 0
        /// With ``watch``: items that ended `expired` (their time to live ran out before they
        /// started) or `cancelled` (by an operator).
        public var expired = 0, cancelled = 0
        public var seconds = 0.0
        public var rate: Double { seconds > 0 ? Double(acknowledged + duplicates + refused) / seconds : 0 }
    }

    /// One DEALER socket per broker, in the order of the list given.
    private let sockets: [Socket]
    /// The brokers' front endpoints, in order: an item goes to the one ``BrokerPartition`` names.
    public let endpoints: [String]
    private let message = Multipart()
    /// Most items sent and not yet answered.
    public var window = 20_000
    /// Items per PUB message.
    public var batch = 1000
    /// Bytes of items per PUB message at most (a message also ends at ``batch`` items), well
    /// inside the broker's 16 MiB per message.
    static let mostMessageBytes = 8 << 20
    /// Resend an item not answered within this long (a broker restart loses unsent ACKs).
    public var resendAfter: Duration = .seconds(5)
    /// Publish with `PUBW` and wait until every acknowledged item is finished (`FIN`).
    public var watch = false
    /// Send batches packed (`PACK`, PROTOCOL.md 2.5: one frame per message instead of three per
    /// item). A broker that does not know `PACK` answers `ERR unknown_command` naming `PACK`:
    /// that broker then gets unpacked messages, and the items of the packed ones it refused are
    /// sent to it again at once, unpacked.
    public var pack = true
    /// With ``watch``: when no `FIN` came from a broker for this long (doubling up to a minute),
    /// the items still unfinished there are sent again with `PUBW`. A restarted broker forgot
    /// who watches them; it answers `DUP` and then their `FIN`, at once for those finished meanwhile.
    public var rewatchAfter: Duration = .seconds(5)

    /// Connects (in the background) to the broker's front endpoint.
    /// - Parameter curve: this producer's keys and the broker's public key, for a CURVE broker.
    public convenience init(context: Context, endpoint: String, curve: CurveClientKeys? = nil) throws {
        try self.init(context: context, endpoints: [endpoint], curve: curve)
    }

    /// Connects (in the background) to every broker of a partitioned set (PROTOCOL.md 8.1): each
    /// item goes to the broker its kind and id hash to, so that broker's dedup window sees every
    /// copy of it. Give every producer the same list in the same order.
    /// - Parameter curve: this producer's keys and the brokers' public key, for CURVE brokers.
    public init(context: Context, endpoints: [String], curve: CurveClientKeys? = nil) throws {
        precondition(!endpoints.isEmpty, "a publisher needs at least one broker")
        self.endpoints = endpoints
        sockets = try endpoints.map { try ProducerSocket.connect(context, to: $0, curve: curve, highWaterMark: 100_000) }
    }

    deinit { for socket in sockets { socket.close() } }

    /// The broker (index in ``endpoints``) that takes `item`.
    public func broker(of item: PublishedItem) -> Int {
        sockets.count == 1 ? 0 : BrokerPartition.index(kind: item.kind, id: item.id, brokers: sockets.count)
    }

    /// Asks the broker who it is; nil when it does not answer within `timeout`. With several
    /// brokers: the first one's answer (see ``pingAll(timeout:)``).
    public func ping(timeout: Duration) throws -> Pong? { try pingAll(timeout: timeout)[0] }

    /// Asks every broker who it is: one answer per endpoint, nil for each that did not answer
    /// within `timeout`.
    public func pingAll(timeout: Duration) throws -> [Pong?] {
        for socket in sockets { try socket.send(parts: FrontRequest.ping.frames) }
        var answers = [Pong?](repeating: nil, count: sockets.count)
        let deadline = ContinuousClock.now + timeout
        var poller = Poller()
        for socket in sockets { poller.add(socket) }
        while ContinuousClock.now < deadline && answers.contains(where: { $0 == nil }) {
            try poller.poll(timeout: deadline - .now)
            for (i, socket) in sockets.enumerated() {
                while try socket.receive(into: message, wait: false) {
                    if case .success(.pong(let pong)) = FrontReply.decode(FramesView(message)) { answers[i] = pong }
                }
            }
        }
        return answers
    }

    /// Publishes every item, calling `onOutcome` once per item as answers arrive.
    /// - Parameter giveUpAfter: stop waiting when a broker that has items to answer has been
    ///   silent this long.
    public func publish<S: Sequence>(_ items: S, giveUpAfter: Duration = .seconds(60),
                                      onOutcome: (Outcome) -> Void) throws -> Summary where S.Element == PublishedItem {
        let start = ContinuousClock.now
        var source = items.makeIterator()
        var exhausted = false
        var run = PublishProgress(watch: watch)
        let brokers = sockets.count
        // Per broker: when it last answered, when it was last sent something, its last FIN and
        // how long to wait for the next before asking again about its unfinished items.
        let begin = ContinuousClock.now
        var lastHeard = [ContinuousClock.Instant](repeating: begin, count: brokers)
        var lastSent = [ContinuousClock.Instant](repeating: begin, count: brokers)
        var lastFin = [ContinuousClock.Instant](repeating: begin, count: brokers)
        // The last FIN that came (lastFin also moves when items are asked about again).
        var lastRealFin = begin
        var allAcknowledged = false
        var rewatchWait = [Duration](repeating: rewatchAfter, count: brokers)
        var lastStaleCheck = ContinuousClock.now
        var poller = Poller()
        for socket in sockets { poller.add(socket) }
        var pending = [[PublishedItem]](repeating: [], count: brokers)
        var packs = [Bool](repeating: pack, count: brokers)
        var pendingBytes = [Int](repeating: 0, count: brokers)

        func send(_ b: Int) throws {
            guard !pending[b].isEmpty else { return }
            let request = FrontRequest.publish(pending[b], watch: watch)
            let packed = packs[b] && pending[b].count > 1
            if packed {
                try sockets[b].send(to: [], Packed(request), wait: true)
            } else {
                try sockets[b].send(to: [], request, wait: true)
            }
            let now = ContinuousClock.now
            lastSent[b] = now
            for item in pending[b] { run.outstanding.insert(item, sentAt: now, packed: packed) }
            pending[b].removeAll(keepingCapacity: true)
            pendingBytes[b] = 0
        }
        func queue(_ item: PublishedItem) throws {
            let b = broker(of: item)
            // Split by bytes too: a message stays within the broker's limits (PROTOCOL.md 9).
            let size = item.body.count + item.id.utf8.count + item.kind.utf8.count + 64
            if !pending[b].isEmpty && pendingBytes[b] + size > Self.mostMessageBytes { try send(b) }
            pending[b].append(item)
            pendingBytes[b] += size
            if pending[b].count == batch { try send(b) }
        }
        var queued: Int { pending.reduce(0) { $0 + $1.count } }

        while true {
            // Fill the window: retries first, then new items.
            let now = ContinuousClock.now
            // In one pass: a whole window's worth may be due at once (a broker from before PACK).
            var room = window - run.outstanding.count - queued
            if room > 0, run.retryQueue.contains(where: { $0.due <= now }) {
                var due: [PublishedItem] = [], later: [(due: ContinuousClock.Instant, item: PublishedItem)] = []
                for entry in run.retryQueue {
                    if room > 0, entry.due <= now {
                        due.append(entry.item)
                        room -= 1
                    } else {
                        later.append(entry)
                    }
                }
                run.retryQueue = later
                for item in due { try queue(item) }
                run.summary.retried += due.count
            }
            while !exhausted && run.outstanding.count + queued < window {
                guard let item = source.next() else { exhausted = true; break }
                run.summary.published += 1
                try queue(item)
            }
            for b in 0..<brokers { try send(b) }
            if exhausted && run.outstanding.isEmpty && run.retryQueue.isEmpty {
                if run.watching.isEmpty { break }
                // The wait for FINs counts from the last FIN or from when everything was acknowledged.
                if !allAcknowledged { allAcknowledged = true; lastRealFin = max(lastRealFin, .now) }
                if ContinuousClock.now - lastRealFin > giveUpAfter {
                    run.summary.unfinished = run.watching.count
                    break
                }
                // No FIN from a broker for a while: it may have restarted. Ask it again about
                // the items it has not finished.
                for b in 0..<brokers where ContinuousClock.now - lastFin[b] > rewatchWait[b] {
                    for item in run.watching.values where broker(of: item) == b { run.retryQueue.append((.now, item)) }
                    lastFin[b] = .now
                    rewatchWait[b] = min(rewatchWait[b] * 2, .seconds(60))
                }
            }

            try poller.poll(timeout: .milliseconds(50))
            for b in 0..<brokers {
                while try sockets[b].receive(into: message, wait: false) {
                    lastHeard[b] = .now
                    // Replies to packed messages may come packed.
                    guard case .success(let frames) = Pack.read(FramesView(message)) else { continue }
                    if let header = FrontReply.idListHeader(frames) {
                        // Ids are looked up straight from the frames.
                        guard case .success(let (header, first)) = header else { continue }
                        if case .finished = header {
                            lastFin[b] = .now
                            lastRealFin = lastFin[b]
                            rewatchWait[b] = rewatchAfter
                        }
                        for i in first..<frames.frameCount { run.settle(header, id: frames.frame(i), onOutcome: onOutcome) }
                    } else {
                        switch FrontReply.decode(frames) {
                        case .success(.nak(let id, let error)):
                            run.refuse(id: String(decoding: id, as: UTF8.self), error, onOutcome: onOutcome)
                        case .success(.error(let error)) where error.command == "PACK" && error.errors.contains(where: { $0.code == "unknown_command" }):
                            // A broker from before PACK refused every packed message: from now
                            // on it gets them unpacked, starting with the items of those (the
                            // unpacked ones it answers as usual).
                            if packs[b] {
                                packs[b] = false
                                for item in run.outstanding.remove(where: { item, _, packed in packed && broker(of: item) == b }) {
                                    run.retryQueue.append((.now, item))
                                }
                            }
                        default: break
                        }
                    }
                }
            }
            // Unanswered for too long: send again (the dedup window makes that safe).
            if ContinuousClock.now - lastStaleCheck > .milliseconds(500) {
                lastStaleCheck = .now
                for item in run.outstanding.removeSent(before: .now - resendAfter) { run.retryQueue.append((.now, item)) }
            }
            // A broker sent items (resends included) and silent since: give up after `giveUpAfter`.
            if !run.outstanding.isEmpty || !run.retryQueue.isEmpty,
               let silent = (0..<brokers).first(where: { lastSent[$0] > lastHeard[$0] && ContinuousClock.now - lastHeard[$0] > giveUpAfter }) {
                throw BrokerUnreachable(waiting: run.outstanding.count + run.retryQueue.count, silence: giveUpAfter,
                                        endpoint: brokers > 1 ? endpoints[silent] : nil)
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
    /// With several brokers: the one that stopped answering.
    public var endpoint: String?
    public var description: String {
        "the broker\(endpoint.map { " at \($0)" } ?? "") did not answer for \(silence); \(waiting) items were not acknowledged"
    }
}
