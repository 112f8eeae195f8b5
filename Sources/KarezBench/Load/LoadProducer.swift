import Foundation
import Histogram
import KarezProtocol
import KarezWire
import ZeroMQ

/// One load producer: a DEALER socket on its own thread publishing with `PUBW`, closed loop
/// (keep `window` items unacknowledged) or open loop (each item at its intended time, latency
/// measured from that time, so a stalled system cannot hide its stalls: coordinated omission
/// corrected as wrk2 does). Resends what a restarted broker never answered (same id: the dedup
/// window makes that safe). With several brokers (a partitioned set) it has one socket per
/// broker and sends each item to the broker its kind and id hash to (PROTOCOL.md 8.1).
public final class LoadProducer: @unchecked Sendable {
    let settings: LoadSettings
    let items: LoadItems
    let endpoints: [String]
    let context: Context
    let index: Int
    let curve: CurveClientKeys?
    /// This producer's share of the count and the rate.
    let count: Int?
    let rate: Double?
    let rampTo: Double?
    private let finished = DispatchSemaphore(value: 0)
    private var result = ProducerResult()
    private var failure: (any Error)?

    public init(settings: LoadSettings, items: LoadItems, endpoints: [String], context: Context, index: Int, curve: CurveClientKeys? = nil) {
        (self.settings, self.items, self.endpoints, self.context, self.index, self.curve) = (settings, items, endpoints, context, index, curve)
        let n = max(1, settings.producers)
        count = settings.count.map { $0 / n + (index < $0 % n ? 1 : 0) }
        rate = settings.rate.map { $0 / Double(n) }
        rampTo = settings.rampTo.map { $0 / Double(n) }
    }

    /// Starts the producer's thread.
    public func start() {
        let name = "karez-producer-\(index)"
        let thread = Thread { [self] in
            Thread.current.name = name
            do { result = try run() } catch { failure = error }
            finished.signal()
        }
        thread.start()
    }

    /// Waits for the producer and returns what it measured.
    public func wait() throws -> ProducerResult {
        finished.wait()
        finished.signal()
        if let failure { throw failure }
        return result
    }

    private struct Pending {
        var n: Int
        /// Nanoseconds from the start to the item's intended send time.
        var intended: Int64
        var sentAt: ContinuousClock.Instant
        /// The broker (index in `endpoints`) the item goes to.
        var broker: Int
    }

    private func run() throws -> ProducerResult {
        let sockets = try endpoints.map { try ProducerSocket.connect(context, to: $0, curve: curve, highWaterMark: 1_000_000) }
        defer { for socket in sockets { socket.close() } }
        let brokers = sockets.count
        let kind = settings.wireKind
        let message = Multipart()
        var r = ProducerResult()
        r.producer = "\(ProcessInfo.processInfo.hostName)/p\(index)"
        r.idPrefix = "bench-\(settings.runID)-\(ProcessInfo.processInfo.processIdentifier)p\(index)-"
        r.startedAt = Date().timeIntervalSince1970
        let start = ContinuousClock.now
        let end = settings.duration.map { start + .seconds($0) }
        // Items are tracked by their index n (the id is the prefix and n), parsed straight from
        // the reply frames: the tables below index arrays by it (hashing it into dictionaries
        // was a tenth of this thread).
        let ids = ItemIndexReader(prefix: r.idPrefix)
        var outstanding = IndexTable<Pending>()
        // Items waiting for FIN, with the broker incarnation that acknowledged them: a restarted
        // broker (seen in PONG, pinged every second) sends no FIN for them, so they stop waiting.
        var watching = IndexTable<(intended: Int64, broker: Int, epoch: Int)>()
        var incarnation = [String?](repeating: nil, count: brokers)
        var epoch = [Int](repeating: 0, count: brokers)
        var lastPing = ContinuousClock.now - .seconds(10)
        // When each broker last answered anything (a PONG comes back every second).
        var lastHeard = [ContinuousClock.Instant](repeating: .now, count: brokers)
        let silence = Duration.seconds(settings.silenceSeconds)
        // Items are numbered from 0: one bit each. A Set of them rehashed all its entries at every
        // doubling (about 30 ms at half a million), a stall the open loop counted as latency.
        var finishedIDs = IndexBits()
        // Reserved up front for the same reason (copies at each doubling).
        r.acknowledgedIndices.reserveCapacity(count ?? Int(min(50_000_000, (rate ?? 0) * Double(settings.duration ?? 0) * 1.05)))
        var retry: [(due: ContinuousClock.Instant, p: Pending)] = []
        var next = 0
        // The last new item sent to each broker: what falls due while a PUBW is unanswered may
        // wait (``SendClock``); with several brokers, until every one answered its last.
        var lastSent = [Int?](repeating: nil, count: brokers)
        func answered() -> Bool { lastSent.allSatisfy { $0.map { outstanding[$0] == nil } ?? true } }
        r.publishMessages = 0
        let clock = SendClock(rate: rate)
        var nextIntended = start
        var intendedOffset = 0.0  // seconds from start to nextIntended
        var nextIntendedNanos: Int64 = 0  // the same in nanoseconds
        var lastProgress = ContinuousClock.now
        var lastStale = ContinuousClock.now
        var poller = Poller()
        for socket in sockets { poller.add(socket) }
        func route(_ id: String) -> Int { brokers == 1 ? 0 : BrokerPartition.index(kind: kind, id: id, brokers: brokers) }
        // Times are nanoseconds from the start, read once per message: per item, latency is
        // integer arithmetic (Duration's 128-bit arithmetic per item was 6% of this thread).
        func nanos(_ t: ContinuousClock.Instant) -> Int64 {
            let (seconds, attoseconds) = (t - start).components
            return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        }
        func bump(_ a: inout [Int], second s: Int) { ProducerResult.update(&a, second: s) { $0 += 1 } }
        func micros(_ nanos: Int64) -> UInt64 { UInt64(max(0, nanos / 1000)) }
        // Open loop sends every item that falls due within the duration, however late: dropping
        // the late ones would hide the very latency the run measures (coordinated omission).
        // Closed loop publishes until the duration ends.
        func generating(_ now: ContinuousClock.Instant) -> Bool {
            if let count { return next < count }
            guard let end else { return false }
            return rate == nil ? now < end : nextIntended < end
        }
        func advance() {
            guard let rate else { return }
            var current = rate
            if let rampTo {
                let progress: Double
                if let count { progress = Double(next) / Double(max(1, count)) } else {
                    progress = (nextIntended - start) / .seconds(settings.duration ?? 1)
                }
                current = rate + (rampTo - rate) * min(1, max(0, progress))
                intendedOffset += 1 / max(current, 1e-3)
            } else {
                // At a constant rate item n is due at n / rate exactly: summing truncated steps
                // would drift early and squeeze an extra item into a --duration.
                intendedOffset = Double(next) / max(rate, 1e-3)
            }
            nextIntendedNanos = Int64((intendedOffset * 1e9).rounded())
            nextIntended = start + .nanoseconds(nextIntendedNanos)
        }

        while true {
            let now = ContinuousClock.now
            let nowNanos = nanos(now)
            var batches = [[PublishedItem]](repeating: [], count: brokers)
            var batchBytes = [Int](repeating: 0, count: brokers)
            func add(_ item: PublishedItem, to b: Int) throws {
                // A message also ends at 8 MiB of items, well inside the broker's 16 MiB.
                let size = item.body.count + item.id.utf8.count + item.kind.utf8.count + 64
                if !batches[b].isEmpty && batchBytes[b] + size > 8 << 20 { try flush(b) }
                batches[b].append(item)
                batchBytes[b] += size
                if batches[b].count == settings.batch { try flush(b) }
            }
            func flush(_ b: Int) throws {
                guard !batches[b].isEmpty else { return }
                let request = FrontRequest.publish(batches[b], watch: true)
                if settings.pack && batches[b].count > 1 {
                    _ = try sockets[b].send(to: [], Packed(request), wait: true)
                } else {
                    _ = try sockets[b].send(to: [], request, wait: true)
                }
                batches[b].removeAll(keepingCapacity: true)
                batchBytes[b] = 0
                r.publishMessages = (r.publishMessages ?? 0) + 1
            }
            // Resends first, then new items due now (open loop) or while the window allows (closed).
            while let i = retry.firstIndex(where: { $0.due <= now }) {
                var e = retry.remove(at: i)
                e.p.sentAt = now
                outstanding[e.p.n] = e.p
                try add(items.item(e.p.n, id: r.idPrefix + String(e.p.n)), to: e.p.broker)
                r.resent += 1
            }
            // Above 4,000 items/s the broker's answers clock the sends (``SendClock``).
            let held = rate != nil && clock.holds(lastAnswered: answered(), now: now, oldestDue: nextIntended)
            while !held && generating(now) && outstanding.count < settings.window && (rate == nil || nextIntended <= now) {
                let id = r.idPrefix + String(next)
                let item = items.item(next, id: id)
                let b = route(id)
                outstanding[next] = Pending(n: next, intended: rate == nil ? nowNanos : nextIntendedNanos, sentAt: now, broker: b)
                if rate != nil { _ = r.sendLatency.record(micros(nowNanos - nextIntendedNanos)) }
                r.published += 1
                r.bytes += item.body.count
                lastSent[b] = next
                next += 1
                advance()
                try add(item, to: b)
            }
            for b in 0..<brokers { try flush(b) }
            if now - lastPing >= .seconds(1) {
                lastPing = now
                for socket in sockets { _ = try socket.send(parts: FrontRequest.ping.frames, wait: false) }
            }
            if !generating(now) && outstanding.isEmpty && retry.isEmpty {
                if watching.isEmpty { break }
                if now - lastProgress > .seconds(settings.drainSeconds) { r.unfinished = watching.count; break }
            }
            // Open loop: wake when the next item is due, to the microsecond, and send what is due as
            // one batch; a late wake-up would count in the latency, measured from each item's
            // intended time (the C yardstick waits the same way). Above 4,000 items/s a producer
            // batches as a real one does (the wait counts in the latency): ``SendClock``.
            // Held again if it just sent: it then sleeps until the answer, not a mere 250 µs.
            let holding = rate != nil && clock.holds(lastAnswered: answered(), now: now, oldestDue: nextIntended)
            if rate != nil, generating(now), holding || outstanding.count < settings.window {
                try poller.poll(preciseTimeout: clock.sleep(holding: holding, now: now, nextDue: nextIntended))
            } else {
                // Closed loop, done, or the window full: wait for replies.
                try poller.poll(timeout: .milliseconds(10))
            }
            for (b, socket) in sockets.enumerated() {
                while try socket.receive(into: message, wait: false) {
                    lastHeard[b] = .now
                    // Replies to packed messages may come packed (PROTOCOL.md 2.5).
                    guard case .success(let f) = Pack.read(FramesView(message)) else { continue }
                    let t = ContinuousClock.now
                    let tNanos = nanos(t), tSeconds = Double(max(0, tNanos)) / 1e9, tSecond = Int(max(0, tNanos) / 1_000_000_000)
                    // Replies that name items (ACK, DUP, BUSY, FIN) are read in place: their ids
                    // become indexes without Strings.
                    if case .success(let (header, first))? = FrontReply.idListHeader(f) {
                        for i in first..<f.frameCount {
                            guard let n = ids.index(f.frame(i)) else { continue }
                            switch header {
                            case .ack:
                                guard let p = outstanding.removeValue(forKey: n) else { continue }
                                r.acknowledged += 1
                                r.acknowledgedIndices.append(n)
                                _ = r.ackLatency.record(micros(tNanos - p.intended))
                                bump(&r.acksPerSecond, second: tSecond)
                                r.ackSeconds = tSeconds
                                watching[n] = (p.intended, b, epoch[b])
                                lastProgress = t
                            case .finished(let outcome):
                                guard let intended = watching.removeValue(forKey: n)?.intended else {
                                    if finishedIDs.contains(n) { r.finishedTwice += 1 }
                                    continue
                                }
                                finishedIDs.insert(n)
                                if outcome == .done { r.finishedDone += 1 } else { r.finishedDead += 1 }
                                let latency = micros(tNanos - intended)
                                _ = r.doneLatency.record(latency)
                                bump(&r.donePerSecond, second: tSecond)
                                ProducerResult.update(&r.doneMaxPerSecond, second: tSecond) { $0 = max($0, Int(latency)) }
                                r.doneSeconds = tSeconds
                                lastProgress = t
                            case .duplicate:
                                guard let p = outstanding.removeValue(forKey: n) else { continue }
                                // Accepted before (a resend after a broker restart): no FIN will come.
                                r.duplicates += 1
                                r.acknowledgedIndices.append(p.n)
                                bump(&r.acksPerSecond, second: tSecond)
                                lastProgress = t
                            case .busy(let ms):
                                guard let p = outstanding.removeValue(forKey: n) else { continue }
                                r.busy += 1
                                retry.append((t + .milliseconds(ms), p))
                            }
                        }
                        continue
                    }
                    guard case .success(let reply) = FrontReply.decode(f) else { continue }
                    switch reply {
                    case .nak(let id, _):
                        if let n = id.withUnsafeBytes({ ids.index($0) }), outstanding.removeValue(forKey: n) != nil { r.refused += 1 }
                    case .pong(let pong):
                        if let known = incarnation[b], known != pong.incarnation {
                            epoch[b] += 1
                            let current = epoch[b]
                            r.finishedWithoutFIN += watching.removeAll { $0.broker == b && $0.epoch != current }
                            lastProgress = t
                        }
                        incarnation[b] = pong.incarnation
                    case .ack, .finished, .duplicate, .busy, .error, .dlqDone, .controlDone: break
                    }
                }
            }
            if let b = lastHeard.indices.first(where: { ContinuousClock.now - lastHeard[$0] > silence }) {
                throw LoadError("the broker at \(endpoints[b]) has answered nothing, not even PING, for \(String(format: "%g", settings.silenceSeconds)) s, "
                                + "with \(outstanding.count) items unacknowledged; is it running there, and are the endpoint and CURVE keys right? (--broker, --silence-timeout)")
            }
            // Unanswered for 3 s: the broker restarted; send again.
            if ContinuousClock.now - lastStale > .milliseconds(500) {
                lastStale = .now
                for (n, p) in outstanding.entries where ContinuousClock.now - p.sentAt > .seconds(3) {
                    outstanding[n] = nil
                    retry.append((.now, p))
                }
            }
        }
        if settings.duration == nil, generating(.now) == false, r.published == 0 { throw LoadError("nothing to publish") }
        return r
    }
}

/// Reads the item index back out of an id this producer made (`prefix` followed by the index
/// in decimal); nil for any other id.
struct ItemIndexReader {
    let prefix: [UInt8]

    init(prefix: String) { self.prefix = Array(prefix.utf8) }

    func index(_ id: UnsafeRawBufferPointer) -> Int? {
        guard id.count > prefix.count, id.count - prefix.count <= 18 else { return nil }
        for i in 0..<prefix.count where id[i] != prefix[i] { return nil }
        return DecimalText.value(UnsafeRawBufferPointer(rebasing: id[prefix.count...])).map { Int($0) }
    }
}

/// A set of small non-negative integers, one bit each: inserting never rehashes, growing copies
/// one bit per number.
struct IndexBits {
    private var words: [UInt64] = []

    func contains(_ n: Int) -> Bool { n >> 6 < words.count && words[n >> 6] & (1 << UInt64(n & 63)) != 0 }

    mutating func insert(_ n: Int) {
        if n >> 6 >= words.count { words += [UInt64](repeating: 0, count: max(n >> 6 + 1 - words.count, words.count)) }
        words[n >> 6] |= 1 << UInt64(n & 63)
    }
}
