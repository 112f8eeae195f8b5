import KarezProtocol

/// Operator control of the broker's dispatch: scheduled items and deadlines, pause and limits per
/// kind, cancellation and status (`CTL`, PROTOCOL.md 3.7).
extension BrokerCore {
    // MARK: Time

    /// Moves scheduled items whose `not_before` has come to their ready queue, and ends
    /// waiting items whose `expires_at` has passed as `expired` (an item out with a worker runs
    /// on: it started in time). Cheap when nothing is due: call it every turn.
    public func releaseDue(now: UInt64) {
        while let e = scheduled.popDue(now) {
            guard slotSeq[e.slot] == e.seq, slots[e.slot].place == .scheduled else { continue }
            scheduledCount[slots[e.slot].kind] -= 1
            makeReady(e.slot)
        }
        while let e = deadlines.popDue(now) {
            guard slotSeq[e.slot] == e.seq, slots[e.slot].place != .outWith else { continue }
            endWaiting(e.slot, as: .expired, now: now)
        }
        compactIfStale()
    }

    /// Entries of items that ended early (done before their deadline, cancelled or expired while
    /// waiting) leave the timer heaps and ready queues only when reached: each is dropped in one
    /// pass once they outnumber the items still queued, so memory stays bounded by the queue,
    /// also for a kind that is paused or that no worker takes.
    private func compactIfStale() {
        let bound = 2 * queuedCount + 1024
        let live = { (slot: Int, seq: UInt64) in self.slotSeq[slot] == seq }
        if scheduled.count > bound { scheduled.compact { live($0.slot, $0.seq) && self.slots[$0.slot].place == .scheduled } }
        if deadlines.count > bound { deadlines.compact { live($0.slot, $0.seq) } }
        for k in ready.indices where staleReady[k] > ready[k].count - staleReady[k] + 1024 {
            ready[k].compact(keep: live)
            staleReady[k] = 0
        }
    }

    /// Fills the rate limits' token buckets (before a dispatch).
    func refillTokens(now: UInt64) {
        for k in controls.indices where controls[k].rate > 0 { controls[k].refill(now: now) }
    }

    /// Milliseconds until the broker has something to do at a time of its own: the next
    /// scheduled item or deadline, or a rate-limited kind's next token while items wait. Nil
    /// when nothing is timed.
    public func wakeDelay(now: UInt64) -> UInt64? {
        var due = [scheduled.first?.due, deadlines.first?.due].compactMap { $0 }.min().map { $0 > now ? $0 - now : 0 }
        for k in controls.indices where controls[k].rate > 0 && ready[k].count > staleReady[k] && !controls[k].paused {
            var c = controls[k]
            c.refill(now: now)
            // A token already there needs no wake-up: what holds the items back is elsewhere
            // (credit, the concurrency limit), and a CREDIT or DONE wakes the loop anyway.
            if c.tokens < 1 { due = min(due ?? .max, c.millisUntilToken) }
        }
        return due
    }

    // MARK: Operator settings

    /// The operator's settings of every kind that has any, by kind name (for `control.json`).
    public var controlSettings: [String: KindControlSettings] {
        var out: [String: KindControlSettings] = [:]
        for k in controls.indices where !controls[k].isDefault {
            out[kindNames[k]] = KindControlSettings(paused: controls[k].paused, concurrency: controls[k].concurrency, rate: controls[k].rate)
        }
        return out
    }

    /// Restores settings saved in `control.json` (kinds this broker no longer takes included:
    /// their recovered items obey them too).
    public func restoreControls(_ saved: [String: KindControlSettings]) {
        for (name, s) in saved {
            let k = kindIndex(name)
            controls[k].paused = s.paused
            controls[k].concurrency = s.concurrency
            setRate(k, s.rate)
        }
    }

    /// A new rate starts with a full bucket; the same rate again keeps the bucket as it is (so
    /// repeating a limit lets no extra burst through).
    private func setRate(_ k: Int, _ rate: Double) {
        guard rate != controls[k].rate else { return }
        controls[k].rate = rate
        controls[k].tokens = rate > 0 ? controls[k].burst : 0
        controls[k].filledAt = 0
    }

    /// Applies an operator command other than `status` and `cancel`; the error says why it
    /// cannot be (an unknown kind).
    public func apply(_ request: ControlRequest) -> ErrorBody? {
        switch request {
        case .limit(let kind, let concurrency, let rate):
            guard let k = configuredIndex(kind) else { return unknownKind(kind) }
            if let concurrency { controls[k].concurrency = concurrency }
            if let rate { setRate(k, rate) }
        case .pause(let kind):
            guard let k = configuredIndex(kind) else { return unknownKind(kind) }
            controls[k].paused = true
        case .resume(let kind):
            guard let k = configuredIndex(kind) else { return unknownKind(kind) }
            controls[k].paused = false
        case .cancel(let kind, _):
            guard configuredIndex(kind) != nil else { return unknownKind(kind) }
        case .status: break
        }
        return nil
    }

    private func configuredIndex(_ kind: String) -> Int? { knownKindIndex(kind).flatMap { $0 < configuredKindCount ? $0 : nil } }

    private func unknownKind(_ kind: String) -> ErrorBody {
        ErrorBody(kind: kind, path: "/kind", code: "unknown_kind",
                  message: "unknown kind \"\(kind)\"; this broker takes \(kindNames[..<configuredKindCount].sorted().joined(separator: ", "))")
    }

    // MARK: Cancel

    /// What a cancel did, id by id.
    public struct CancelResult: Sendable {
        /// Ended `cancelled` now (queued, scheduled, retrying or in flight).
        public var cancelled: [String] = []
        /// Already finished: the id and how (done, dead, expired, cancelled).
        public var finished: [(id: String, state: String)] = []
        /// Not in the queue nor the dedup window.
        public var unknown: [String] = []
        /// Workers to tell with `CANCEL`: routing id and delivery tags (workers that accept it).
        public var notices: [(worker: [UInt8], deliveries: [UInt64])] = []
    }

    /// Cancels items of `kind` by id. A waiting item is never delivered; an item in flight has
    /// its delivery ended (a later `DONE` or `FAIL` for it is ignored) and its worker is told.
    /// Each ends `cancelled` (journalled; `FIN cancelled` to its watchers). Costs one pass over
    /// the queue, stopping once every id is found: a length check per queued item of the kind,
    /// and one hash lookup for those of a wanted length (about 30 ms for a million queued items
    /// of one id length), and a pass over the deliveries in flight.
    public func cancel(kind: String, ids: [String], now: UInt64) -> CancelResult {
        var result = CancelResult()
        guard let k = configuredIndex(kind) else { return result }
        let wanted = Set(ids)
        let lengths = Set(wanted.map(\.utf8.count))
        var found: [String: Int] = [:]
        for slot in slots.indices where slotSeq[slot] != 0 && slots[slot].kind == k {
            guard lengths.contains(slots[slot].item.id.utf8.count), wanted.contains(slots[slot].item.id) else { continue }
            found[slots[slot].item.id] = slot
            if found.count == wanted.count { break }
        }
        var tagOf: [Int: UInt64] = [:]
        if found.values.contains(where: { slots[$0].place == .outWith }) {
            let wanted = Set(found.values)
            for (tag, d) in deliveries where wanted.contains(d.slot) && slotSeq[d.slot] == d.seq { tagOf[d.slot] = tag }
        }
        var notices: [Int: [UInt64]] = [:]
        var answered = Set<String>()
        for id in ids where answered.insert(id).inserted {
            guard let slot = found.removeValue(forKey: id) else {
                if let outcome = dedup.state(of: DedupKey(kind: k, id: id))?.outcome {
                    result.finished.append((id, outcome.rawValue))
                } else {
                    result.unknown.append(id)
                }
                continue
            }
            if let tag = tagOf[slot], let d = endDelivery(tag) {
                if workerSlots[d.worker]?.acceptsCancel == true { notices[d.worker, default: []].append(tag) }
                slots[slot].place = .detached
            }
            endWaiting(slot, as: .cancelled, now: now)
            result.cancelled.append(id)
        }
        result.notices = notices.compactMap { w, tags in workerSlots[w].map { ($0.routingID, tags) } }
        return result
    }

    // MARK: Inspection

    /// Entries in the scheduled and deadline heaps, stale ones included.
    var timerEntries: (scheduled: Int, deadlines: Int) { (scheduled.count, deadlines.count) }

    /// Delivery tags out with workers now, in order.
    var deliveryTags: [UInt64] { deliveries.keys.sorted() }

    /// The routing id of the worker holding a delivery.
    func holder(of tag: UInt64) -> [UInt8]? { deliveries[tag].flatMap { workerSlots[$0.worker]?.routingID } }

    /// The item of a delivery.
    func delivery(_ tag: UInt64) -> JournalItem? {
        deliveries[tag].flatMap { slotSeq[$0.slot] == $0.seq ? slots[$0.slot].item : nil }
    }

    // MARK: Status

    /// Queues, limits, paused kinds, scheduled counts and the progress of long jobs, as the
    /// `CTLOK` of `status` carries it.
    public func status(now: UInt64) -> JSONValue {
        let oldest = Dictionary(oldestReady().map { ($0.kind, $0.enqueuedMillis) }, uniquingKeysWith: { a, _ in a })
        var progress: [Int: [JSONValue]] = [:]
        // Only the deliveries that reported progress are sorted (oldest first), not all in flight.
        for (_, d) in deliveries.filter({ $0.value.progress >= 0 && slotSeq[$0.value.slot] == $0.value.seq }).sorted(by: { $0.key < $1.key }) {
            guard progress[Int(d.kind), default: []].count < 20 else { continue }
            progress[Int(d.kind), default: []].append(.object(JSONObject([
                ("id", .string(slots[d.slot].item.id)), ("worker", .string(workerSlots[d.worker]?.name ?? "")),
                ("percent", .number(Double(d.progress))), ("running_s", .number(Double(now - min(now, d.sent)) / 1000)),
            ])))
        }
        let kinds: [JSONValue] = (0..<configuredKindCount).sorted { kindNames[$0] < kindNames[$1] }.map { k in
            var o = JSONObject([
                ("kind", .string(kindNames[k])), ("ready", .number(Double(ready[k].count - staleReady[k]))),
                ("scheduled", .number(Double(scheduledCount[k]))), ("in_flight", .number(Double(kindInFlight[k]))),
                ("oldest_ready_age_s", .number(oldest[kindNames[k]].flatMap { $0 }.map { Double(now - min(now, $0)) / 1000 } ?? 0)),
                ("paused", .bool(controls[k].paused)), ("concurrency", .number(Double(controls[k].concurrency))),
                ("rate", .number(controls[k].rate)),
            ])
            if let p = progress[k] { o["progress"] = .array(p) }
            return .object(o)
        }
        return .object(JSONObject([
            ("queued", .number(Double(queuedCount))), ("ready", .number(Double(ready.indices.reduce(0) { $0 + ready[$1].count - staleReady[$1] }))),
            ("scheduled", .number(Double(scheduledItems))), ("retrying", .number(Double(retries.count))),
            ("in_flight", .number(Double(inFlightCount))), ("workers", .number(Double(workerList.count))),
            ("kinds", .array(kinds)),
        ]))
    }
}

/// One kind's operator settings as `control.json` keeps them.
public struct KindControlSettings: Sendable, Equatable, Codable {
    public var paused: Bool
    public var concurrency: Int
    public var rate: Double
}
