import KarezMetrics
import KarezProtocol

/// The broker's state machine: queue, dedup window, credits, leases, retries and dead letters.
///
/// Pure: no sockets, no files, no clock of its own (every call takes `now` in milliseconds), so
/// tests drive it directly. The service around it owns the sockets and the journal.
public final class BrokerCore {
    /// An accepted item and its delivery history.
    struct Entry {
        var item: JournalItem
        var segment: Int
        var attempt = 0
        var lastError: ErrorBody?
        /// The producer's routing envelope when it published with `PUBW` (memory only).
        var watcher: [[UInt8]]?
    }

    /// A connected worker.
    struct Worker {
        var credit = 0
        var lastSeen: UInt64
        var deliveries: Set<UInt64> = []
        var name: String
        var host = ""
    }

    /// What happened to one published item.
    public enum Decision: Equatable {
        case accept(JournalItem)
        case duplicate(String)
        case refuse(String, ErrorBody)
        case busy(String)
    }

    /// An item that reached the dead-letter list.
    public struct DeadLetter: Equatable {
        public var item: JournalItem
        public var attempts: Int
        public var reason: ErrorBody
    }

    public let settings: BrokerSettings
    private var entries: [UInt64: Entry] = [:]
    private var ready: [UInt64] = []
    private var readyHead = 0
    private var retries: [(due: UInt64, seq: UInt64)] = []
    private var queuedBytes = 0
    /// An item's identity for the dedup window (no concatenated string per item).
    struct DedupKey: Hashable {
        var kind: String
        var id: String
    }
    private var dedup: [DedupKey: UInt64] = [:]
    private var dedupOrder: [(key: DedupKey, millis: UInt64)] = []
    private var dedupHead = 0
    private(set) var workers: [[UInt8]: Worker] = [:]
    private var deliveries: [UInt64: (seq: UInt64, worker: [UInt8], deadline: UInt64, sent: UInt64)] = [:]
    /// Delivery tags are never reused, even across restarts: they start from the clock
    /// (milliseconds × 10⁶), so a late DONE for an old incarnation's delivery matches nothing.
    private var nextDelivery: UInt64
    private(set) public var nextSeq: UInt64 = 1
    /// Finished items for the journal: (seq, segment), done and dead.
    public private(set) var finished: [(seq: UInt64, segment: Int)] = []
    public private(set) var died: [(seq: UInt64, segment: Int)] = []
    /// Items moved to the dead-letter list since the last ``takeDeadLetters()``.
    private var deadLetters: [DeadLetter] = []
    /// Counters for metrics and tests.
    public private(set) var stats = Stats()

    public struct Stats: Equatable, Sendable {
        public var accepted = 0, duplicates = 0, refused = 0, busy = 0
        public var delivered = 0, redelivered = 0, done = 0, failed = 0, dead = 0
    }

    /// Per-kind tallies and latencies (milliseconds of the broker's clock) for metrics.
    public struct KindMetrics: Sendable {
        public var accepted = 0, delivered = 0, redelivered = 0, done = 0, failed = 0, dead = 0
        /// Accepted → handed to a worker (each delivery).
        public var queued = LatencyHistogram()
        /// Handed to a worker → DONE (transport, validate, enrich, store, ack).
        public var dispatched = LatencyHistogram()
        /// Accepted → DONE.
        public var endToEnd = LatencyHistogram()
    }
    /// Metrics per kind, for the metrics snapshot.
    public private(set) var kinds: [String: KindMetrics] = [:]

    public init(settings: BrokerSettings, now: UInt64) {
        self.settings = settings
        nextDelivery = max(1, now) &* 1_000_000
    }

    // MARK: Recovery

    /// Restores the state the journal recovered: pending items go back to the queue.
    public func restore(_ recovery: Journal.Recovery) {
        nextSeq = recovery.nextSeq
        for (kind, id, millis) in recovery.accepted { remember(kind: kind, id: id, millis: millis) }
        for (item, segment) in recovery.pending { enqueue(Entry(item: item, segment: segment)) }
    }

    // MARK: Producers

    /// Decides each item of a PUB: accept (to be journalled), duplicate, refuse or busy.
    /// Accepted items get sequence numbers; call ``accepted(_:segment:)`` once journalled.
    public func publish(_ items: [PublishedItem], now: UInt64) -> [Decision] {
        var batchKeys = Set<DedupKey>()
        return items.map { p in
            if let problem = p.problem(maxBytes: settings.maxItemBytes, knownKinds: settings.kinds) {
                stats.refused += 1
                return .refuse(p.id, problem)
            }
            let key = DedupKey(kind: p.kind, id: p.id)
            if let seen = dedup[key], seen + settings.dedupWindowMillis >= now { stats.duplicates += 1; return .duplicate(p.id) }
            if !batchKeys.insert(key).inserted { stats.duplicates += 1; return .duplicate(p.id) }
            if queuedCount >= settings.maxQueuedItems || queuedBytes + p.body.count > settings.maxQueuedBytes {
                stats.busy += 1
                return .busy(p.id)
            }
            let item = JournalItem(seq: nextSeq, enqueuedMillis: now, id: p.id, kind: p.kind, body: p.body)
            nextSeq += 1
            queuedBytes += p.body.count
            return .accept(item)
        }
    }

    /// A new item for a requeued dead letter (new sequence number, attempts from zero).
    public func requeue(id: String, kind: String, body: [UInt8], now: UInt64) -> JournalItem {
        defer { nextSeq += 1 }
        queuedBytes += body.count
        return JournalItem(seq: nextSeq, enqueuedMillis: now, id: id, kind: kind, body: body)
    }

    /// Makes a journalled item deliverable and remembers its id for the dedup window.
    /// - Parameter watcher: the producer to tell with `FIN` when the item is finished.
    public func accepted(_ item: JournalItem, segment: Int, watcher: [[UInt8]]? = nil) {
        stats.accepted += 1
        kinds[item.kind, default: KindMetrics()].accepted += 1
        remember(kind: item.kind, id: item.id, millis: item.enqueuedMillis)
        queuedBytes -= item.body.count
        enqueue(Entry(item: item, segment: segment, watcher: watcher))
    }

    private func enqueue(_ entry: Entry) {
        entries[entry.item.seq] = entry
        queuedBytes += entry.item.body.count
        ready.append(entry.item.seq)
    }

    private func remember(kind: String, id: String, millis: UInt64) {
        let key = DedupKey(kind: kind, id: id)
        dedup[key] = millis
        dedupOrder.append((key, millis))
    }

    /// Items accepted and not yet done.
    public var queuedCount: Int { entries.count }
    /// Items waiting for a worker.
    public var readyCount: Int { ready.count - readyHead + retries.count }
    /// Jobs out with workers.
    public var inFlightCount: Int { deliveries.count }

    // MARK: Workers

    /// Registers (or refreshes) a worker.
    /// A HELLO under the name and host of another registered worker is that worker restarted
    /// (kill -9, crash): the old registration goes at once and its jobs are redelivered, instead
    /// of waiting for its heartbeats to lapse. Worker names must therefore be unique per host.
    public func hello(_ worker: [UInt8], _ hello: Hello, now: UInt64) {
        if workers[worker] == nil {
            for (id, w) in workers where w.name == hello.name && w.host == hello.host { remove(id, now: now) }
            workers[worker] = Worker(lastSeen: now, name: hello.name, host: hello.host)
        }
        workers[worker]?.lastSeen = now
    }

    /// True when the routing id belongs to a registered worker.
    public func knows(_ worker: [UInt8]) -> Bool { workers[worker] != nil }

    /// Any message from a worker proves it alive.
    public func seen(_ worker: [UInt8], now: UInt64) { workers[worker]?.lastSeen = now }

    public func credit(_ worker: [UInt8], _ n: Int) { workers[worker]?.credit += n }

    /// Deliveries finished and stored.
    public func done(_ worker: [UInt8], _ tags: [UInt64], now: UInt64) {
        for tag in tags {
            guard let d = deliveries[tag], d.worker == worker else { continue }
            deliveries[tag] = nil
            workers[d.worker]?.deliveries.remove(tag)
            guard let entry = entries.removeValue(forKey: d.seq) else { continue }
            queuedBytes -= entry.item.body.count
            finished.append((d.seq, entry.segment))
            if let w = entry.watcher { notify(w, .done, entry.item.id) }
            stats.done += 1
            kinds[entry.item.kind, default: KindMetrics()].recordDone(sent: d.sent, enqueued: entry.item.enqueuedMillis, now: now)
        }
    }

    /// A delivery failed: retried with backoff, or dead-lettered.
    public func fail(_ worker: [UInt8], _ tag: UInt64, retryable: Bool, _ error: ErrorBody, now: UInt64) {
        guard let d = deliveries[tag], d.worker == worker else { return }
        deliveries[tag] = nil
        workers[d.worker]?.deliveries.remove(tag)
        stats.failed += 1
        if let kind = entries[d.seq]?.item.kind { kinds[kind, default: KindMetrics()].failed += 1 }
        entries[d.seq]?.lastError = error
        retryOrBury(d.seq, retryable: retryable, now: now)
    }

    /// A worker left (BYE) or vanished: its jobs are delivered again (after the retry backoff,
    /// and to the dead letters after `maxAttempts`, so an item that kills workers cannot loop forever).
    public func remove(_ worker: [UInt8], now: UInt64) {
        guard let w = workers.removeValue(forKey: worker) else { return }
        for tag in w.deliveries.sorted() {
            guard let d = deliveries.removeValue(forKey: tag) else { continue }
            let attempt = entries[d.seq]?.attempt ?? 0
            entries[d.seq]?.lastError = ErrorBody(code: "worker_lost", message: "the worker holding attempt \(attempt) died or left")
            retryOrBury(d.seq, retryable: true, now: now)
        }
    }

    private func retryOrBury(_ seq: UInt64, retryable: Bool, now: UInt64) {
        guard let entry = entries[seq] else { return }
        if !retryable || entry.attempt >= settings.maxAttempts {
            entries[seq] = nil
            queuedBytes -= entry.item.body.count
            died.append((seq, entry.segment))
            if let w = entry.watcher { notify(w, .dead, entry.item.id) }
            deadLetters.append(DeadLetter(item: entry.item, attempts: entry.attempt,
                                          reason: entry.lastError ?? ErrorBody(code: "max_attempts", message: "gave up after \(entry.attempt) attempts")))
            stats.dead += 1
            kinds[entry.item.kind, default: KindMetrics()].dead += 1
            return
        }
        // Exponential backoff with jitter: between half and all of base * 2^(attempt-1), capped.
        let exp = min(settings.retryCapMillis, settings.retryBaseMillis << UInt64(min(20, max(0, entry.attempt - 1))))
        let delay = exp / 2 + UInt64.random(in: 0...(exp / 2))
        retries.append((now + delay, seq))
    }

    // MARK: Dispatch and time

    /// Hands ready items to workers with credit. Returns the jobs per worker.
    public func dispatch(now: UInt64) -> [(worker: [UInt8], jobs: [Job])] {
        var out: [(worker: [UInt8], jobs: [Job])] = []
        guard readyHead < ready.count else { return out }
        for (id, _) in workers.sorted(by: { $0.value.credit > $1.value.credit }) where readyHead < ready.count {
            var jobs: [Job] = []
            while let credit = workers[id]?.credit, credit > 0, readyHead < ready.count, jobs.count < settings.maxJobsPerMessage {
                let seq = ready[readyHead]
                readyHead += 1
                guard var entry = entries[seq] else { continue }
                entry.attempt += 1
                entries[seq] = entry
                let tag = nextDelivery
                nextDelivery += 1
                deliveries[tag] = (seq, id, now + settings.leaseMillis, now)
                workers[id]!.deliveries.insert(tag)
                workers[id]!.credit -= 1
                if entry.attempt > 1 { stats.redelivered += 1 }
                stats.delivered += 1
                kinds[entry.item.kind, default: KindMetrics()].recordDelivery(attempt: entry.attempt, enqueued: entry.item.enqueuedMillis, now: now)
                jobs.append(Job(delivery: tag, id: entry.item.id, kind: entry.item.kind, attempt: entry.attempt, body: entry.item.body))
            }
            if !jobs.isEmpty { out.append((id, jobs)) }
        }
        if readyHead > 4096 && readyHead * 2 > ready.count {
            ready.removeFirst(readyHead)
            readyHead = 0
        }
        return out
    }

    /// Expires leases and silent workers, releases due retries and old dedup entries.
    /// - Returns: workers that were dropped as silent.
    public func tick(now: UInt64) -> [[UInt8]] {
        let expired = deliveries.filter { $0.value.deadline <= now }
        for (tag, d) in expired.sorted(by: { $0.key < $1.key }) {
            deliveries[tag] = nil
            workers[d.worker]?.deliveries.remove(tag)
            entries[d.seq]?.lastError = ErrorBody(code: "lease_expired", message: "no DONE or FAIL within \(settings.leaseMillis) ms")
            retryOrBury(d.seq, retryable: true, now: now)
        }
        let silence = settings.heartbeatMillis * settings.heartbeatLiveness
        let gone = workers.filter { $0.value.lastSeen + silence < now }.map(\.key)
        for worker in gone { remove(worker, now: now) }
        if !retries.isEmpty {
            let due = retries.filter { $0.due <= now }
            retries.removeAll { $0.due <= now }
            for r in due.sorted(by: { $0.seq < $1.seq }) { ready.append(r.seq) }
        }
        while dedupHead < dedupOrder.count, dedupOrder[dedupHead].millis + settings.dedupWindowMillis < now {
            let (key, millis) = dedupOrder[dedupHead]
            if dedup[key] == millis { dedup[key] = nil }
            dedupHead += 1
        }
        if dedupHead > 4096 && dedupHead * 2 > dedupOrder.count {
            dedupOrder.removeFirst(dedupHead)
            dedupHead = 0
        }
        return gone
    }

    /// Finished items for the journal since the last call.
    public func takeFinished() -> (done: [(seq: UInt64, segment: Int)], dead: [(seq: UInt64, segment: Int)]) {
        defer { finished.removeAll(keepingCapacity: true); died.removeAll(keepingCapacity: true) }
        return (finished, died)
    }

    private var finNotices: [FinKey: [String]] = [:]
    private struct FinKey: Hashable {
        var envelope: [[UInt8]]
        var outcome: FinOutcome
    }

    private func notify(_ envelope: [[UInt8]], _ outcome: FinOutcome, _ id: String) {
        finNotices[FinKey(envelope: envelope, outcome: outcome), default: []].append(id)
    }

    /// `FIN` notices for watching producers since the last call, at most 1000 ids each.
    public func takeFinNotices() -> [(envelope: [[UInt8]], outcome: FinOutcome, ids: [String])] {
        guard !finNotices.isEmpty else { return [] }
        defer { finNotices.removeAll(keepingCapacity: true) }
        return finNotices.flatMap { key, ids in
            stride(from: 0, to: ids.count, by: 1000).map { (key.envelope, key.outcome, Array(ids[$0..<min(ids.count, $0 + 1000)])) }
        }
    }

    /// Items dead-lettered since the last call.
    public func takeDeadLetters() -> [DeadLetter] {
        defer { deadLetters.removeAll() }
        return deadLetters
    }
}

extension BrokerCore.KindMetrics {
    mutating func recordDelivery(attempt: Int, enqueued: UInt64, now: UInt64) {
        delivered += 1
        if attempt > 1 { redelivered += 1 }
        queued.record(micros: (now &- min(now, enqueued)) * 1000)
    }

    mutating func recordDone(sent: UInt64, enqueued: UInt64, now: UInt64) {
        done += 1
        dispatched.record(micros: (now &- min(now, sent)) * 1000)
        endToEnd.record(micros: (now &- min(now, enqueued)) * 1000)
    }
}
