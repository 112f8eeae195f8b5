import KarezMetrics
import KarezProtocol

/// The broker's state machine: queue, dedup window, credits, leases, retries and dead letters.
///
/// Pure: no sockets, no files, no clock of its own (every call takes `now` in milliseconds), so
/// tests drive it directly. The service around it owns the sockets and the journal.
///
/// Built for the hot path: queued items live in a slab (an array with a free list) that the
/// ready queue and deliveries point into by slot, kinds are small indexes, and workers are
/// found by their routing id once per message, so an item costs a few array operations and
/// two hash lookups (dedup and delivery) rather than a dictionary per step.
public final class BrokerCore {
    /// An accepted item and its delivery history.
    struct Entry {
        var item: JournalItem
        var segment: Int
        /// Its dedup key, hashed once when it was published: its end finds its window slot
        /// without hashing the id again.
        var key: DedupKey
        /// Its kind's index.
        var kind: Int { key.kind }
        var attempt = 0
        /// Deliveries given back uncounted (a session replaced by its own principal); at most
        /// `maxAttempts`, so a job that kills every worker taking it still ends dead.
        var givenBack = 0
        /// Times a worker vanished while holding this item among others: no attempt is charged
        /// for that (the death cannot be pinned on one job), but after
        /// `settings.isolateAfterLosses` of them the item is delivered alone (``dispatch(now:)``),
        /// so a job that kills its worker is found out and ends dead while the rest are done.
        var losses = 0
        var lastError: ErrorBody?
        /// The producer's routing envelope when it published with `PUBW` (memory only).
        var watcher: [[UInt8]]?
        /// Where it waits, or that it is out with a worker.
        var place = Place.ready

        /// What a free slot holds (nothing allocated).
        static let vacant = Entry(item: JournalItem(seq: 0, enqueuedMillis: 0, id: "", kind: "", body: []), segment: 0, key: DedupKey(kind: 0, id: ""))
    }

    /// Where an accepted item is.
    enum Place {
        /// In its kind's ready queue.
        case ready
        /// Waiting for its `not_before` (in ``scheduled``).
        case scheduled
        /// Waiting out a retry backoff.
        case retrying
        /// Out with a worker.
        case outWith
        /// Taken off its queue this instant, to be delivered or ended.
        case detached
    }

    /// A connected worker.
    struct Worker {
        var routingID: [UInt8]
        /// The kinds it takes (indexes), or nil for all.
        var kinds: [Int]?
        var credit = 0
        var lastSeen: UInt64
        var inFlight = 0
        /// Body bytes of the jobs in flight: bounded by `settings.maxWorkerBytes`, so a worker
        /// that stops reading holds at most that much of the broker's memory.
        var bytesInFlight = 0
        /// The worker said `DRAIN`: it gets no more jobs, and its `CREDIT` is ignored.
        var draining = false
        /// It holds an item delivered alone (a suspect, see `Entry.losses`) and gets nothing
        /// else until that delivery ends.
        var isolating = false
        /// A send to it failed (its connection is gone): no jobs until it is heard from again.
        var unreachable = false
        var name: String
        var host = ""
        var incarnation = ""
        /// Who the worker is: its CURVE key, or without CURVE its incarnation. Only the same
        /// principal may take over a live worker's name (PROTOCOL.md 4.2).
        var principal = ""
        /// It said in `HELLO` that it takes `JOBX` (jobs with their trace context).
        var acceptsMeta = false
        /// It said in `HELLO` that it takes `CANCEL`.
        var acceptsCancel = false
        /// It said in `HELLO` that it takes packed messages (`PACK JOB`).
        var acceptsPack = false
    }

    /// One job out with a worker.
    struct Delivery {
        var slot: Int
        var seq: UInt64
        var worker: Int
        var deadline: UInt64
        var sent: UInt64
        var bytes: Int
        /// Delivered alone to an otherwise idle worker: if that worker dies, the item is to blame.
        var isolated = false
        /// The last `PROGRESS` the worker reported (percent), -1 for none.
        var progress: Int8 = -1
        /// The item's kind index (32 bits: with the two fields above it fits the padding the
        /// entry had, so the deliveries table does not grow).
        var kind: Int32 = 0
    }

    /// What happened to one published item.
    public enum Decision: Equatable {
        case accept(AcceptedItem)
        case duplicate(String)
        /// Refused: the id frame exactly as received, and why.
        case refuse([UInt8], ErrorBody)
        case busy(String)
    }

    /// An item ``publish(_:now:watcher:)`` accepted: to journal, then hand to
    /// ``accepted(_:segment:watcher:)-(AcceptedItem,_,_)``.
    public struct AcceptedItem: Equatable, Sendable {
        public let item: JournalItem
        /// Its dedup key, hashed once as it was published.
        let key: DedupKey
        /// The item's id.
        public var id: String { item.id }
    }

    /// An item that reached the dead-letter list.
    public struct DeadLetter: Equatable {
        public var item: JournalItem
        public var attempts: Int
        public var reason: ErrorBody
    }

    public let settings: BrokerSettings
    /// Kind names; an item's kind is its index here. Starts with the configured kinds, and
    /// grows when the journal holds items of a kind no longer configured.
    var kindNames: [String]
    /// The first `configuredKinds` of ``kindNames`` are the ones the broker accepts.
    let configuredKinds: Int
    /// Queued items by slot; `freeSlots` lists the empty ones. Entries are read and changed in
    /// place (`slots[i].attempt += 1`): copying one out would retain and release its fields.
    ///
    /// The hot tables skip Swift's dynamic exclusivity checks (`@exclusivity(unchecked)`): the
    /// core is driven by one thread (the broker's loop), and no method of it passes one of them
    /// `inout` while another access to it is open, so the checks cost time per item and find
    /// nothing.
    @exclusivity(unchecked) var slots: [Entry] = []
    /// The sequence number of the item in each slot, 0 when the slot is free.
    @exclusivity(unchecked) var slotSeq: [UInt64] = []
    @exclusivity(unchecked) private var freeSlots: [Int] = []
    /// Per kind index: items waiting for a worker, by priority, oldest first.
    @exclusivity(unchecked) var ready: [KindQueue]
    /// Per kind index: entries of ``ready`` whose item ended while it waited (cancelled,
    /// expired); dropped when they reach the head.
    @exclusivity(unchecked) var staleReady: [Int]
    /// Items waiting for their `not_before`, and per kind index how many.
    @exclusivity(unchecked) var scheduled = TimerHeap()
    @exclusivity(unchecked) var scheduledCount: [Int]
    /// Items with an `expires_at`, by that time.
    @exclusivity(unchecked) var deadlines = TimerHeap()
    /// Per kind index: pause, limits and the rate limit's tokens.
    @exclusivity(unchecked) var controls: [KindControl]
    /// Per kind index: jobs out with workers.
    @exclusivity(unchecked) var kindInFlight: [Int]
    @exclusivity(unchecked) var retries: [(due: UInt64, slot: Int, seq: UInt64)] = []
    @exclusivity(unchecked) private var queuedBytes = 0
    @exclusivity(unchecked) var dedup = DedupWindow()
    /// Connected workers by slot, and their slots by routing id.
    @exclusivity(unchecked) var workerSlots: [Worker?] = []
    @exclusivity(unchecked) var workerIndex: [[UInt8]: Int] = [:]
    @exclusivity(unchecked) var deliveries: [UInt64: Delivery] = [:]
    /// Delivery tags are never reused, even across restarts: they start from the clock
    /// (milliseconds × 10⁶), so a late DONE for an old incarnation's delivery matches nothing.
    @exclusivity(unchecked) private var nextDelivery: UInt64
    @exclusivity(unchecked) private(set) public var nextSeq: UInt64 = 1
    /// Items that ended since the last ``takeFinished()``, for the journal.
    @exclusivity(unchecked) var ended = FinishedItems()
    /// Items moved to the dead-letter list since the last ``takeDeadLetters()``.
    private var deadLetters: [DeadLetter] = []
    /// Counters for metrics and tests.
    @exclusivity(unchecked) public private(set) var stats = Stats()

    public struct Stats: Equatable, Sendable {
        public var accepted = 0, duplicates = 0, refused = 0, busy = 0
        public var delivered = 0, redelivered = 0, done = 0, failed = 0, dead = 0
        /// Ids forgotten before the end of the dedup window because it held `dedupMaxIDs`.
        public var dedupEvicted = 0
        public var expired = 0, cancelled = 0
    }

    /// Per-kind tallies and latencies (milliseconds of the broker's clock) for metrics.
    public struct KindMetrics: Sendable {
        public var accepted = 0, delivered = 0, redelivered = 0, done = 0, failed = 0, dead = 0, expired = 0, cancelled = 0
        /// Accepted → handed to a worker (each delivery).
        public var queued = LatencyHistogram()
        /// Handed to a worker → DONE (transport, validate, enrich, store, ack).
        public var dispatched = LatencyHistogram()
        /// Accepted → DONE.
        public var endToEnd = LatencyHistogram()
    }
    /// Metrics per kind index (see ``kinds``).
    @exclusivity(unchecked) var kindMetrics: [KindMetrics]

    public init(settings: BrokerSettings, now: UInt64) {
        self.settings = settings
        // Only well-formed kind names are taken, so a kind found among them needs no check.
        kindNames = settings.kinds.filter(Patterns.isKindName).sorted()
        configuredKinds = kindNames.count
        kindMetrics = Array(repeating: KindMetrics(), count: kindNames.count)
        ready = Array(repeating: KindQueue(), count: kindNames.count)
        staleReady = Array(repeating: 0, count: kindNames.count)
        scheduledCount = Array(repeating: 0, count: kindNames.count)
        controls = Array(repeating: KindControl(), count: kindNames.count)
        kindInFlight = Array(repeating: 0, count: kindNames.count)
        nextDelivery = max(1, now) &* 1_000_000
    }

    /// Metrics per kind name, for the metrics snapshot (kinds that saw traffic).
    public var kinds: [String: KindMetrics] {
        var out: [String: KindMetrics] = [:]
        for (i, m) in kindMetrics.enumerated() where m.accepted + m.delivered + m.done + m.failed + m.dead + m.expired + m.cancelled > 0 { out[kindNames[i]] = m }
        return out
    }

    /// The index of a kind name (added when new: a kind recovered from the journal).
    func kindIndex(_ name: String) -> Int {
        if let i = knownKindIndex(name) { return i }
        kindNames.append(name)
        kindMetrics.append(KindMetrics())
        ready.append(KindQueue())
        staleReady.append(0)
        scheduledCount.append(0)
        controls.append(KindControl())
        kindInFlight.append(0)
        return kindNames.count - 1
    }

    /// How many kinds the broker accepts (the first of ``kindNames``).
    var configuredKindCount: Int { configuredKinds }

    /// Changes the metrics of a kind by name (added when new).
    func addCount(_ kind: String, _ change: (inout KindMetrics) -> Void) { change(&kindMetrics[kindIndex(kind)]) }

    func knownKindIndex(_ name: String) -> Int? {
        for i in kindNames.indices where kindNames[i] == name { return i }
        return nil
    }

    // MARK: Recovery

    /// Restores the state the journal recovered: pending items go back to the queue.
    public func restore(_ recovery: Journal.Recovery) {
        nextSeq = recovery.nextSeq
        for a in recovery.accepted { dedup.remember(DedupKey(kind: kindIndex(a.kind), id: a.id), a.millis, state: a.state) }
        for (item, segment) in recovery.pending { enqueue(Entry(item: item, segment: segment, key: DedupKey(kind: kindIndex(item.kind), id: item.id))) }
    }

    // MARK: Producers

    /// Decides each item of a PUB: accept (to be journalled), duplicate, refuse or busy.
    /// Accepted items get sequence numbers and enter the dedup window at once (so a repeat
    /// later in the same PUB is a duplicate); call ``accepted(_:segment:watcher:)`` once
    /// each is journalled.
    /// - Parameter watcher: the producer of a `PUBW`: a duplicate it sends is told its `FIN` too.
    public func publish(_ items: [PublishedItem], now: UInt64, watcher: [[UInt8]]? = nil) -> [Decision] {
        let kinds = items.map { knownKindIndex($0.kind) }
        let keys = zip(items, kinds).map { DedupKey(kind: $1 ?? 0, id: $0.id) }
        dedup.warm(keys)
        // Replies name items by id alone, so one PUB may not carry one id under two kinds. The
        // kind-free half of each key finds repeats without hashing the ids again.
        var firstWithID: [UInt64: Int] = [:]
        if items.count > 1 { firstWithID.reserveCapacity(items.count) }
        var acceptedHere = 0
        return items.indices.map { i in
            let p = items[i], kind = kinds[i]
            if let problem = p.problem(maxBytes: settings.maxItemBytes, kindIsKnown: kind.map { $0 < configuredKinds } ?? false,
                                       knownKinds: kindNames[..<configuredKinds]) {
                stats.refused += 1
                return .refuse(p.idFrame, problem)
            }
            let key = keys[i]
            if items.count > 1 {
                if let j = firstWithID[key.check], items[j].id == p.id, items[j].kind != p.kind {
                    stats.refused += 1
                    return .refuse(p.idFrame, ErrorBody(id: p.id, kind: p.kind, path: "", code: "ambiguous_id",
                                                        message: "id \(p.id) is also published as kind \(items[j].kind) in this PUB; replies name items by id only, so send it in another message"))
                }
                if firstWithID[key.check] == nil { firstWithID[key.check] = i }
            }
            // One hash per accepted item: insert first, undo on the rare duplicate or busy.
            let seen = dedup.update(key, now)
            // Still queued or in flight: a duplicate however long ago it was accepted (8).
            if let seen, seen + settings.dedupWindowMillis >= now || dedup.state(of: key) == .queued {
                dedup.restore(key, seen)
                stats.duplicates += 1
                if let watcher { watchDuplicate(key, id: p.id, watcher) }
                return .duplicate(p.id)
            }
            if queuedCount + acceptedHere >= settings.maxQueuedItems || queuedBytes + p.body.count > settings.maxQueuedBytes {
                dedup.restore(key, seen)
                stats.busy += 1
                return .busy(p.id)
            }
            // Queued, it stays in the window until it finishes (``ended``), whatever the time.
            if seen != nil { dedup.setState(.queued, of: key) }
            acceptedHere += 1
            let item = JournalItem(seq: nextSeq, enqueuedMillis: now, id: p.id, kind: p.kind, body: p.body, meta: ItemMeta(p.options, acceptedAt: now))
            nextSeq += 1
            queuedBytes += p.body.count
            return .accept(AcceptedItem(item: item, key: key))
        }
    }

    /// Producers that sent a `PUBW` answered `DUP` for an item still queued: told at its end.
    private var duplicateWatchers: [DedupKey: [[[UInt8]]]] = [:]

    /// A `PUBW` of an item already accepted: its `FIN` now if it has finished, else when it does.
    private func watchDuplicate(_ key: DedupKey, id: String, _ watcher: [[UInt8]]) {
        if let outcome = dedup.state(of: key)?.outcome { return notify(watcher, outcome, id) }
        let known = duplicateWatchers[key, default: []]
        if known.count < 16, !known.contains(watcher) { duplicateWatchers[key, default: []].append(watcher) }
    }

    /// Records how an item ended in the dedup window and tells every producer watching it.
    /// - Parameter key: the item's dedup key, when the caller has it already.
    private func ended(_ entry: Entry, _ outcome: FinOutcome, now: UInt64, key known: DedupKey? = nil) {
        if let watcher = entry.watcher { notify(watcher, outcome, entry.item.id) }
        let key = known ?? entry.key
        dedup.finished(key, ItemState(outcome), at: now)
        if !duplicateWatchers.isEmpty, let watchers = duplicateWatchers.removeValue(forKey: key) {
            for w in watchers where w != entry.watcher { notify(w, outcome, entry.item.id) }
        }
    }

    /// A new item for a requeued dead letter (new sequence number, attempts from zero).
    public func requeue(id: String, kind: String, body: [UInt8], now: UInt64) -> JournalItem {
        defer { nextSeq += 1 }
        queuedBytes += body.count
        dedup.remember(DedupKey(kind: kindIndex(kind), id: id), now)
        return JournalItem(seq: nextSeq, enqueuedMillis: now, id: id, kind: kind, body: body)
    }

    /// Makes a journalled item deliverable. A producer already watching the item (it sent a
    /// `PUBW` answered `DUP` before a restart) is told once, not twice.
    /// - Parameter watcher: the producer to tell with `FIN` when the item is finished.
    public func accepted(_ item: JournalItem, segment: Int, watcher: [[UInt8]]? = nil) {
        accepted(AcceptedItem(item: item, key: DedupKey(kind: kindIndex(item.kind), id: item.id)), segment: segment, watcher: watcher)
    }

    /// Makes an item that ``publish(_:now:watcher:)`` accepted deliverable, once journalled.
    public func accepted(_ accepted: AcceptedItem, segment: Int, watcher: [[UInt8]]? = nil) {
        stats.accepted += 1
        kindMetrics[accepted.key.kind].accepted += 1
        queuedBytes -= accepted.item.body.count
        enqueue(Entry(item: accepted.item, segment: segment, key: accepted.key, watcher: watcher))
    }

    /// Puts an accepted item in a slot: ready, or scheduled when it has a `not_before` (a past
    /// one too: ``releaseDue(now:)`` makes it ready at the next turn).
    private func enqueue(_ entry: Entry) {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = entry
            slotSeq[slot] = entry.item.seq
        } else {
            slot = slots.count
            slots.append(entry)
            slotSeq.append(entry.item.seq)
        }
        queuedBytes += entry.item.body.count
        let (notBefore, expiresAt) = (entry.item.meta.notBefore, entry.item.meta.expiresAt)
        if expiresAt != 0 { deadlines.insert(due: expiresAt, seq: entry.item.seq, slot: slot) }
        if notBefore != 0 {
            slots[slot].place = .scheduled
            scheduledCount[entry.kind] += 1
            scheduled.insert(due: notBefore, seq: entry.item.seq, slot: slot)
        } else {
            makeReady(slot)
        }
    }

    /// Puts a queued item in its kind's ready queue at its priority: at the back, or at the
    /// front (a delivery given back or to be retried at once: it is older than what waits).
    func makeReady(_ slot: Int, front: Bool = false) {
        // Field by field: copying the entry out would retain and release its strings and body.
        let kind = slots[slot].kind, priority = slots[slot].item.meta.priority
        let since = max(slots[slot].item.enqueuedMillis, slots[slot].item.meta.notBefore)
        if front {
            ready[kind].pushFront(slot, slotSeq[slot], priority: priority, since: since)
        } else {
            ready[kind].push(slot, slotSeq[slot], priority: priority, since: since)
        }
        slots[slot].place = .ready
    }

    /// Removes a finished item from its slot. An entry left behind in a ready queue or the
    /// scheduled heap no longer matches the slot's sequence number and is skipped there.
    private func release(_ slot: Int) -> Entry? {
        guard slotSeq[slot] != 0 else { return nil }
        var entry = Entry.vacant
        swap(&entry, &slots[slot])
        slotSeq[slot] = 0
        freeSlots.append(slot)
        queuedBytes -= entry.item.body.count
        switch entry.place {
        case .ready: staleReady[entry.kind] += 1
        case .scheduled: scheduledCount[entry.kind] -= 1
        case .retrying, .outWith, .detached: break
        }
        return entry
    }

    /// Ends a queued item that is not out with a worker (or whose delivery already ended) as
    /// expired or cancelled: journalled, told to its watchers, gone from the queue.
    func endWaiting(_ slot: Int, as outcome: FinOutcome, now: UInt64) {
        guard let entry = release(slot) else { return }
        ended.append((entry.item.seq, entry.segment, entry.item.kind), ItemState(outcome))
        self.ended(entry, outcome, now: now)
        if outcome == .expired {
            stats.expired += 1
            kindMetrics[entry.kind].expired += 1
        } else {
            stats.cancelled += 1
            kindMetrics[entry.kind].cancelled += 1
        }
    }

    /// Items accepted and not yet done.
    public var queuedCount: Int { slots.count - freeSlots.count }
    /// Items waiting for a worker (not those scheduled for later).
    public var readyCount: Int { ready.indices.reduce(retries.count) { $0 + ready[$1].count - staleReady[$1] } }
    /// Items waiting for their `not_before`.
    public var scheduledItems: Int { scheduledCount.reduce(0, +) }
    /// Ids in the dedup window.
    public var dedupCount: Int { dedup.count }
    /// Jobs out with workers.
    public var inFlightCount: Int { deliveries.count }

    // MARK: Workers

    /// Registers a worker.
    ///
    /// A `HELLO` of the same worker process (same name, host and incarnation), on its own
    /// connection or a new one, keeps the jobs it holds: they stay out with it under their
    /// leases, so a worker that re-introduces itself (it heard nothing for a while, its TCP
    /// connection was re-made) burns no attempts (PROTOCOL.md 4.2). Its credit starts again from 0.
    /// A `HELLO` of another process under the same name and host is accepted only from the
    /// live worker's `principal` (its CURVE key; without CURVE its incarnation) or on its own
    /// connection: that is the worker restarted (kill -9, crash), so the old registration goes at
    /// once and its jobs are delivered again without counting the attempt (at most
    /// `maxAttempts` times per item). Anyone else gets `name_in_use` until the holder's
    /// heartbeats lapse: a name cannot be taken from a live worker.
    @discardableResult
    public func hello(_ worker: [UInt8], _ hello: Hello, principal: String? = nil, now: UInt64) -> ErrorBody? {
        let principal = principal ?? hello.incarnation
        let holder = workerSlots.indices.first { i in
            guard let w = workerSlots[i] else { return false }
            return w.name == hello.name && w.host == hello.host
        }
        if let i = holder, let live = workerSlots[i], live.principal != principal, live.routingID != worker {
            return ErrorBody(code: "name_in_use", message: "a live worker already holds the name \"\(hello.name.prefix(100))\" on host \"\(hello.host.prefix(100))\" (another key or process); use another --name, or wait \(settings.heartbeatMillis * settings.heartbeatLiveness) ms after it stopped")
        }
        let sameProcess = holder.flatMap { i in workerSlots[i]?.incarnation == hello.incarnation ? i : nil }
        // The same connection under a new name, or the same principal restarted: the old
        // registration goes and its jobs are queued again, without counting the attempt.
        if let old = workerIndex[worker], old != sameProcess { remove(worker, now: now, as: .replaced) }
        if let i = holder, i != sameProcess, let old = workerSlots[i] { remove(old.routingID, now: now, as: .replaced) }
        let kinds = hello.kinds.map { names in names.compactMap(knownKindIndex) }
        var record = Worker(routingID: worker, kinds: kinds, lastSeen: now, name: hello.name, host: hello.host,
                            incarnation: hello.incarnation, principal: principal)
        record.acceptsMeta = hello.accepts?.contains("JOBX") ?? false
        record.acceptsCancel = hello.accepts?.contains("CANCEL") ?? false
        record.acceptsPack = hello.accepts?.contains(Pack.accepts) ?? false
        if let slot = sameProcess, let previous = workerSlots[slot] {
            // The same process: same slot, so its deliveries stay its own.
            workerIndex[previous.routingID] = nil
            workerIndex[worker] = slot
            var kept = record
            kept.inFlight = previous.inFlight
            kept.bytesInFlight = previous.bytesInFlight
            kept.isolating = previous.isolating
            workerSlots[slot] = kept
        } else if let free = workerSlots.firstIndex(where: { $0 == nil }) {
            workerSlots[free] = record
            workerIndex[worker] = free
        } else {
            workerIndex[worker] = workerSlots.count
            workerSlots.append(record)
        }
        return nil
    }

    /// True when the routing id belongs to a registered worker.
    public func knows(_ worker: [UInt8]) -> Bool { workerIndex[worker] != nil }

    /// Routing ids of the registered workers.
    public var workerIDs: [[UInt8]] { workerSlots.compactMap { $0?.routingID } }

    /// Registered workers: name, credit and jobs in flight.
    var workerList: [(name: String, credit: Int, inFlight: Int)] {
        workerSlots.compactMap { $0.map { ($0.name, $0.credit, $0.inFlight) } }
    }

    /// Any message from a worker proves it alive.
    public func seen(_ worker: [UInt8], now: UInt64) {
        if let w = workerIndex[worker] {
            workerSlots[w]?.lastSeen = now
            workerSlots[w]?.unreachable = false
        }
    }

    /// A send to the worker failed because its connection is gone. It may be reconnecting (a
    /// reset connection, a restarted router): it keeps the jobs it holds under their leases and
    /// gets no more until it is heard from again; if it died, its heartbeats lapse and
    /// ``WorkerExit/died`` applies then.
    public func unreachable(_ worker: [UInt8]) {
        if let w = workerIndex[worker] { workerSlots[w]?.unreachable = true }
    }

    /// Deliveries of a `JOB` message that could not be sent: they never reached the worker, so
    /// the items go back to the front of the queue with their attempt not counted, and the
    /// worker's credit is as before.
    public func unsent(_ worker: [UInt8], _ tags: [UInt64], now: UInt64 = 0) {
        guard let w = workerIndex[worker] else { return }
        for tag in tags.reversed() {
            guard let d = endDelivery(tag, heldBy: w), slotSeq[d.slot] != 0 else { continue }
            if slots[d.slot].attempt > 1 { stats.redelivered -= 1 }
            stats.delivered -= 1
            workerSlots[w]?.credit += 1
            giveBackUncounted(d.slot, now: now)
        }
    }

    /// Puts an item whose delivery ended back at the front of its queue, its attempt not counted.
    /// One whose expiry has passed meanwhile ends `expired`: it would never start again.
    private func giveBackUncounted(_ slot: Int, now: UInt64) {
        slots[slot].attempt -= 1
        let expiry = slots[slot].item.meta.expiresAt
        if expiry != 0, now >= expiry { return endWaiting(slot, as: .expired, now: now) }
        makeReady(slot, front: true)
    }

    /// Adds credit. A worker's credit and jobs in flight together stay within
    /// `settings.maxCredit`: credit beyond it is not granted.
    /// - Returns: false when some of the credit was beyond the limit.
    @discardableResult
    public func credit(_ worker: [UInt8], _ n: Int) -> Bool {
        guard let w = workerIndex[worker], let record = workerSlots[w], !record.draining else { return true }
        let room = max(0, settings.maxCredit - record.inFlight - record.credit)
        workerSlots[w]?.credit = record.credit + min(n, room)
        return n <= room
    }

    /// The worker is stopping (`DRAIN`): no more jobs for it; those it holds stay its own.
    public func drain(_ worker: [UInt8]) {
        guard let w = workerIndex[worker] else { return }
        workerSlots[w]?.credit = 0
        workerSlots[w]?.draining = true
    }

    /// The worker is still working on these deliveries: their leases start again from `now`.
    /// Deliveries it does not hold are ignored.
    public func extend(_ worker: [UInt8], _ tags: [UInt64], now: UInt64) {
        guard let w = workerIndex[worker] else { return }
        for tag in tags where deliveries[tag]?.worker == w { deliveries[tag]?.deadline = now + settings.leaseMillis }
    }

    /// A long job's progress (percent): its lease starts again from `now`, as with ``extend``.
    public func progress(_ worker: [UInt8], _ tag: UInt64, percent: Int, now: UInt64) {
        guard let w = workerIndex[worker], deliveries[tag]?.worker == w else { return }
        deliveries[tag]?.deadline = now + settings.leaseMillis
        deliveries[tag]?.progress = Int8(clamping: percent)
    }

    /// Deliveries finished and stored.
    public func done(_ worker: [UInt8], _ tags: [UInt64], now: UInt64) {
        guard let w = workerIndex[worker] else { return }
        // Two passes: the first ends the deliveries and reads the dedup slot of each item, so
        // the cache misses of the batch overlap (as a PUB's do) before the second uses them.
        var finishing: [(Delivery, DedupKey)] = []
        finishing.reserveCapacity(tags.count)
        for tag in tags {
            guard let d = endDelivery(tag, heldBy: w), slotSeq[d.slot] == d.seq else { continue }
            finishing.append((d, slots[d.slot].key))
        }
        if finishing.count > 1 { dedup.warm(finishing.map(\.1)) }
        for (d, key) in finishing {
            guard slotSeq[d.slot] == d.seq, let entry = release(d.slot) else { continue }
            ended.append((d.seq, entry.segment, entry.item.kind), .done)
            ended(entry, .done, now: now, key: key)
            stats.done += 1
            kindMetrics[entry.kind].recordDone(sent: d.sent, enqueued: max(entry.item.enqueuedMillis, entry.item.meta.notBefore), now: now)
        }
    }

    /// Ends a delivery: out of the table and off its worker's jobs in flight. Nil when there is
    /// no such delivery, or `worker` is given and does not hold it (a late or stray answer).
    func endDelivery(_ tag: UInt64, heldBy worker: Int? = nil) -> Delivery? {
        guard let d = deliveries.removeValue(forKey: tag) else { return nil }
        if let worker, d.worker != worker {
            deliveries[tag] = d
            return nil
        }
        workerSlots[d.worker]?.inFlight -= 1
        workerSlots[d.worker]?.bytesInFlight -= d.bytes
        kindInFlight[Int(d.kind)] -= 1
        if d.isolated { workerSlots[d.worker]?.isolating = false }
        return d
    }

    /// A delivery failed: retried with backoff, or dead-lettered.
    public func fail(_ worker: [UInt8], _ tag: UInt64, retryable: Bool, _ error: ErrorBody, now: UInt64) {
        guard let w = workerIndex[worker], let d = endDelivery(tag, heldBy: w) else { return }
        stats.failed += 1
        if slotSeq[d.slot] != 0 { kindMetrics[slots[d.slot].kind].failed += 1 }
        retryOrBury(d.slot, retryable: retryable, now: now) { _ in error }
    }

    /// Why a worker's registration ends; it decides what its jobs in hand are charged.
    public enum WorkerExit: Sendable {
        /// It said `BYE`: each job in hand counts its attempt.
        case left
        /// Its heartbeats lapsed (killed, crashed, cut off for good). Held alone, the job in hand counts
        /// its attempt (`worker_lost`): the death is its doing. Held with others, none can be
        /// blamed, so none is charged: each records a loss, and an item with
        /// `isolateAfterLosses` losses is next delivered alone. So a kill -9 of a busy worker
        /// never dead-letters an item, and an item that kills every worker still ends.
        case died
        /// Replaced by a session of its own principal, or its queue is full (it stopped
        /// reading): the jobs go back uncounted, at most `maxAttempts` times per item.
        case replaced
    }

    /// A worker left or vanished: its jobs are delivered again at once (see ``WorkerExit``).
    public func remove(_ worker: [UInt8], now: UInt64, as exit: WorkerExit = .died) {
        guard let w = workerIndex.removeValue(forKey: worker) else { return }
        workerSlots[w] = nil
        let held = deliveries.filter({ $0.value.worker == w }).keys.sorted()
        let uncharged = exit == .died && held.count > 1
        // Given back in reverse, so they are first in the queue again in their old order.
        for tag in held.reversed() {
            guard let d = endDelivery(tag), slotSeq[d.slot] != 0 else { continue }
            if uncharged || (exit == .replaced && slots[d.slot].givenBack < settings.maxAttempts) {
                if uncharged { slots[d.slot].losses += 1 } else { slots[d.slot].givenBack += 1 }
                giveBackUncounted(d.slot, now: now)
                continue
            }
            retryOrBury(d.slot, retryable: true, backoff: false, now: now) {
                ErrorBody(code: "worker_lost", message: exit == .left ? "the worker holding attempt \($0) left (BYE)" : "the worker holding attempt \($0) alone died")
            }
        }
    }

    /// Records why the delivery in `slot` ended (`reason` gets its attempt number), then
    /// schedules a retry (with backoff after a `FAIL`, at once after a lost worker or lease), or
    /// moves the item to the dead letters.
    private func retryOrBury(_ slot: Int, retryable: Bool, backoff: Bool = true, now: UInt64, reason: (_ attempt: Int) -> ErrorBody) {
        guard slotSeq[slot] != 0 else { return }
        slots[slot].lastError = reason(slots[slot].attempt)
        let expiry = slots[slot].item.meta.expiresAt
        if retryable, slots[slot].attempt < settings.maxAttempts, expiry != 0, now >= expiry {
            // No new delivery may start after the item's expiry.
            return endWaiting(slot, as: .expired, now: now)
        }
        if !retryable || slots[slot].attempt >= settings.maxAttempts {
            let entry = release(slot)!
            ended.append((entry.item.seq, entry.segment, entry.item.kind), .dead)
            ended(entry, .dead, now: now)
            deadLetters.append(DeadLetter(item: entry.item, attempts: entry.attempt,
                                          reason: entry.lastError ?? ErrorBody(code: "max_attempts", message: "gave up after \(entry.attempt) attempts")))
            stats.dead += 1
            kindMetrics[entry.kind].dead += 1
            return
        }
        guard backoff else { return makeReady(slot, front: true) }
        // Exponential backoff with jitter: between half and all of base * 2^(attempt-1), capped.
        let exp = min(settings.retryCapMillis, settings.retryBaseMillis << UInt64(min(20, max(0, slots[slot].attempt - 1))))
        let delay = exp / 2 + UInt64.random(in: 0...(exp / 2))
        retries.append((now + delay, slot, slotSeq[slot]))
        slots[slot].place = .retrying
    }

    // MARK: Dispatch and time

    /// Hands ready items to workers with credit, oldest first among the kinds each worker
    /// takes. Returns the jobs per worker, and whether that worker takes them packed.
    public func dispatch(now: UInt64) -> [(worker: [UInt8], jobs: [Job], packed: Bool)] {
        var out: [(worker: [UInt8], jobs: [Job], packed: Bool)] = []
        guard ready.contains(where: { !$0.isEmpty }) else { return out }
        refillTokens(now: now)
        let order = workerSlots.indices.filter { (workerSlots[$0]?.credit ?? 0) > 0 }
            .sorted { workerSlots[$0]!.credit > workerSlots[$1]!.credit }
        // Round by round, one JOB message per worker each: every worker gets work at once, and
        // a worker's whole credit is used in this turn (not one message per turn).
        var progress = true
        while progress {
            progress = false
            for w in order {
                guard var worker = workerSlots[w], worker.credit > 0, !worker.isolating, !worker.unreachable else { continue }
                let kinds = worker.kinds ?? Array(ready.indices)
                var jobs: [Job] = []
                jobs.reserveCapacity(min(worker.credit, settings.maxJobsPerMessage))
                while worker.credit > 0, worker.bytesInFlight < settings.maxWorkerBytes, jobs.count < settings.maxJobsPerMessage,
                      let slot = takeNext(of: kinds, now: now) {
                    let expiry = slots[slot].item.meta.expiresAt
                    if expiry != 0, now >= expiry {
                        slots[slot].place = .detached
                        endWaiting(slot, as: .expired, now: now)
                        continue
                    }
                    // A suspect goes alone to an idle worker; the others wait behind it.
                    let isolated = slots[slot].losses >= settings.isolateAfterLosses
                    if isolated, !jobs.isEmpty || worker.inFlight > 0 {
                        makeReady(slot, front: true)
                        break
                    }
                    slots[slot].attempt += 1
                    let attempt = slots[slot].attempt, kind = slots[slot].kind
                    let tag = nextDelivery
                    nextDelivery += 1
                    let bytes = slots[slot].item.body.count
                    deliveries[tag] = Delivery(slot: slot, seq: slotSeq[slot], worker: w, deadline: now + settings.leaseMillis, sent: now, bytes: bytes,
                                               isolated: isolated, kind: Int32(kind))
                    slots[slot].place = .outWith
                    kindInFlight[kind] += 1
                    if controls[kind].rate > 0 { controls[kind].tokens -= 1 }
                    worker.credit -= 1
                    worker.inFlight += 1
                    worker.bytesInFlight += bytes
                    if attempt > 1 { stats.redelivered += 1 }
                    stats.delivered += 1
                    kindMetrics[kind].recordDelivery(attempt: attempt, enqueued: max(slots[slot].item.enqueuedMillis, slots[slot].item.meta.notBefore), now: now)
                    jobs.append(Job(delivery: tag, id: slots[slot].item.id, kind: slots[slot].item.kind, attempt: attempt, body: slots[slot].item.body,
                                    traceparent: worker.acceptsMeta ? slots[slot].item.meta.traceparent : nil))
                    if isolated {
                        worker.isolating = true
                        break
                    }
                }
                workerSlots[w] = worker
                if !jobs.isEmpty {
                    out.append((worker.routingID, jobs, worker.acceptsPack))
                    progress = true
                }
            }
        }
        return out
    }

    /// Every accepted kind with the enqueue time (broker milliseconds) of its oldest item
    /// waiting for a worker, nil for a kind with none waiting.
    func oldestReady() -> [(kind: String, enqueuedMillis: UInt64?)] {
        (0..<configuredKinds).map { k in
            // A level's head is its oldest item (redeliveries go back to the front), so the
            // oldest of the heads is the kind's oldest.
            (kindNames[k], ready[k].levelsInUse.compactMap { level in
                ready[k].peek(level: level).flatMap { slotSeq[$0.slot] == $0.seq ? $0.since : nil }
            }.min())
        }
    }

    /// Takes the next ready item of the given kinds: the highest effective priority (priority
    /// plus aging), oldest first among equals, of kinds that are not paused and within their
    /// limits; nil when none may go.
    private func takeNext(of kinds: [Int], now: UInt64) -> Int? {
        var best: (kind: Int, level: Int, effective: Int, seq: UInt64)?
        for k in kinds where k < ready.count && !ready[k].isEmpty && controls[k].allows(inFlight: kindInFlight[k]) {
            // The levels in use, highest first, straight from the mask (no array per item).
            var levels = ready[k].mask
            while levels != 0 {
                let level = 15 - levels.leadingZeroBitCount
                levels &= ~(1 << UInt16(level))
                // Drop heads whose item ended while waiting (cancelled, expired).
                while let head = ready[k].peek(level: level), slotSeq[head.slot] != head.seq {
                    ready[k].pop(level: level)
                    staleReady[k] -= 1
                }
                guard let head = ready[k].peek(level: level) else { continue }
                let e = KindQueue.effective(level: level, since: head.since, now: now, agingMillis: settings.priorityAgingMillis)
                if let b = best, b.effective > e || (b.effective == e && b.seq < head.seq) { continue }
                best = (k, level, e, head.seq)
            }
        }
        guard let b = best else { return nil }
        return ready[b.kind].pop(level: b.level)
    }

    /// Expires leases and silent workers, releases due retries and old dedup entries. A worker
    /// that lets a lease lapse loses the credit it has left (PROTOCOL.md 4.3): the item goes to
    /// a worker that is working, not back to one that hoards jobs and never answers.
    /// - Returns: workers that were dropped as silent.
    public func tick(now: UInt64) -> [[UInt8]] {
        let lapsed = deliveries.filter { $0.value.deadline <= now }
        // A lease that ran out with a worker whose connection is gone: that worker is dead (4.4),
        // not slow, and all its jobs are accounted as a dead worker's (their deliveries end here).
        for w in Set(lapsed.values.map(\.worker)).sorted() {
            if let worker = workerSlots[w], worker.unreachable { remove(worker.routingID, now: now, as: .died) }
        }
        for tag in lapsed.keys.sorted() {
            guard let d = endDelivery(tag) else { continue }
            workerSlots[d.worker]?.credit = 0
            retryOrBury(d.slot, retryable: true, backoff: false, now: now) { _ in
                ErrorBody(code: "lease_expired", message: "no DONE or FAIL within \(settings.leaseMillis) ms")
            }
        }
        let silence = settings.heartbeatMillis * settings.heartbeatLiveness
        let gone = workerSlots.compactMap { $0 }.filter { $0.lastSeen + silence < now }.map(\.routingID)
        for worker in gone { remove(worker, now: now) }
        if !retries.isEmpty {
            let due = retries.filter { $0.due <= now }
            retries.removeAll { $0.due <= now }
            for r in due.sorted(by: { $0.seq < $1.seq }) where slotSeq[r.slot] == r.seq { makeReady(r.slot) }
        }
        stats.dedupEvicted += dedup.expire(before: now > settings.dedupWindowMillis ? now - settings.dedupWindowMillis : 0,
                                           limit: settings.dedupMaxIDs)
        return gone
    }

    /// Items that ended since the last call, for the journal.
    public func takeFinished() -> FinishedItems {
        defer { ended.removeAll() }
        return ended
    }

    @exclusivity(unchecked) private var finNotices = FinNotices()

    func notify(_ envelope: [[UInt8]], _ outcome: FinOutcome, _ id: String) { finNotices.add(envelope, outcome, id) }

    /// `FIN` notices for watching producers since the last call, at most 1000 ids each.
    public func takeFinNotices() -> [(envelope: [[UInt8]], outcome: FinOutcome, ids: [String])] { finNotices.take() }

    /// Items dead-lettered since the last call.
    public func takeDeadLetters() -> [DeadLetter] {
        defer { deadLetters.removeAll() }
        return deadLetters
    }
}
