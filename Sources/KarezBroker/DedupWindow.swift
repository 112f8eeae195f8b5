import KarezProtocol

/// An item's identity for the dedup window: its kind (an index) and a 128-bit fingerprint of its
/// id, so the window holds no strings (nothing to retain, release or free per id).
///
/// The fingerprint is two independent 64-bit hashes of the id's bytes: Swift's `Hasher` keyed
/// with a random seed drawn once per broker process (it chooses the shard and the table slot, so
/// no producer can aim ids at one slot to build long probe chains, even with
/// `SWIFT_DETERMINISTIC_HASHING` set), and ``ByteHash``. Two distinct ids share a fingerprint
/// with odds of about n² / 2¹²⁹ for n ids in the window: below 10⁻²⁴ for the default bound of
/// 10 million, and no producer can craft a pair, since half of it is keyed.
struct DedupKey: Hashable, Sendable {
    let kind: Int
    /// The seeded hash of kind and id: shards and table slots use it.
    let hash: UInt64
    /// ``ByteHash`` of the id.
    let check: UInt64

    /// Drawn once per process.
    private static let seed = UInt64.random(in: .min ... .max)

    init(kind: Int, id: String) {
        var id = id
        (hash, check) = id.withUTF8 { u in
            var h = Hasher()
            h.combine(Self.seed)
            h.combine(kind)
            h.combine(bytes: UnsafeRawBufferPointer(u))
            return (UInt64(truncatingIfNeeded: h.finalize()), ByteHash.hash(UnsafeRawBufferPointer(u)))
        }
        self.kind = kind
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}

/// Where an item in the dedup window stands: still queued, or how it finished. A `PUBW` answered
/// `DUP` learns the outcome from it (PROTOCOL.md 3.2), also after a broker restart.
public enum ItemState: UInt8, Sendable {
    case queued = 0, done = 1, dead = 2, expired = 3, cancelled = 4

    /// The state of an item that ended so.
    init(_ outcome: FinOutcome) {
        switch outcome {
        case .done: self = .done
        case .dead: self = .dead
        case .expired: self = .expired
        case .cancelled: self = .cancelled
        }
    }

    /// How the item ended, as `FIN` says it; nil while it is queued.
    var outcome: FinOutcome? {
        switch self {
        case .queued: nil
        case .done: .done
        case .dead: .dead
        case .expired: .expired
        case .cancelled: .cancelled
        }
    }
}

/// The ids accepted within the dedup window, with when each was accepted.
///
/// At high rates the window holds tens of millions of ids, so it is built not to stall the
/// broker: the table is split into 256 shards (a growing shard rehashes 1/256 of the ids, not
/// all of them at once), and the acceptance order used for expiry is kept in chunks (dropping
/// expired ids never shifts a large array).
struct DedupWindow {
    private static let shardBits = 8
    private var shards = [FingerprintTable](repeating: FingerprintTable(), count: 1 << shardBits)
    private var order: [[(key: DedupKey, millis: UInt64)]] = [[]]
    private var head = 0
    private static let chunk = 4096

    /// Ids in the window.
    private(set) var count = 0
    /// Entries in the expiry order: finished ids (an id finished twice, requeued in between, may
    /// have a stale entry too).
    private var tracked = 0

    /// The shard of a key: the top bits of its hash (the shard's table probes from the low bits).
    @inline(__always) private static func shard(_ key: DedupKey) -> Int {
        Int(truncatingIfNeeded: key.hash >> UInt64(64 - shardBits))
    }

    /// Brings the table slots of `keys` into the cache ahead of their lookups (see
    /// ``FingerprintTable/touch(_:)``); the returned value only keeps the reads from being
    /// optimised away.
    @discardableResult
    func warm(_ keys: [DedupKey]) -> UInt64 {
        var sum: UInt64 = 0
        for key in keys { sum ^= shards[Self.shard(key)].touch(key) }
        return sum
    }

    /// When `key` was accepted, if it is in the window.
    func acceptedAt(_ key: DedupKey) -> UInt64? { shards[Self.shard(key)][key] }

    /// How the item of `key` stands, if it is in the window.
    func state(of key: DedupKey) -> ItemState? { shards[Self.shard(key)].state(of: key) }

    /// Records how the item of `key` finished.
    mutating func setState(_ state: ItemState, of key: DedupKey) { shards[Self.shard(key)].setState(state, of: key) }

    /// Records `key` as accepted at `millis` and returns when it was accepted before, if ever;
    /// ``restore(_:_:)`` undoes it. Call ``track(_:_:)`` once the acceptance stands.
    mutating func update(_ key: DedupKey, _ millis: UInt64) -> UInt64? {
        let previous = shards[Self.shard(key)].updateValue(millis, forKey: key)
        if previous == nil { count += 1 }
        return previous
    }

    /// Puts back what ``update(_:_:)`` replaced.
    mutating func restore(_ key: DedupKey, _ previous: UInt64?) {
        if let previous { _ = shards[Self.shard(key)].updateValue(previous, forKey: key) } else if shards[Self.shard(key)].removeValue(forKey: key) != nil { count -= 1 }
    }

    /// Queues `key` for expiry `window` after `millis`.
    mutating func track(_ key: DedupKey, _ millis: UInt64) {
        if order[order.count - 1].count == Self.chunk { order.append([]) }
        order[order.count - 1].append((key, millis))
        tracked += 1
    }

    /// Records an acceptance and how the item stands (tracked for expiry once finished).
    mutating func remember(_ key: DedupKey, _ millis: UInt64, state: ItemState = .queued) {
        _ = update(key, millis)
        setState(state, of: key)
        // A queued item enters the expiry order when it finishes (``finished(_:_:at:)``).
        if state != .queued { track(key, millis) }
    }

    /// Records how the item of `key` finished, at `millis`: the window forgets it one window
    /// later (or earlier, beyond the limit of ``expire(before:limit:)``).
    mutating func finished(_ key: DedupKey, _ state: ItemState, at millis: UInt64) {
        guard shards[Self.shard(key)].finish(key, state, at: millis) else { return }
        track(key, millis)
    }

    /// Forgets finished ids remembered before `cutoff` (unless remembered again since), and the
    /// oldest ones while more than `limit` are tracked. Returns how many were forgotten early
    /// because of `limit`. An id whose item is still queued or out with a worker is never
    /// forgotten: a copy published while it waits, however late, is a duplicate. It enters the
    /// expiry order only when its item finishes (``finished(_:_:at:)``), so a waiting id costs
    /// nothing here, per tick or per window; one requeued meanwhile is skipped.
    @discardableResult
    mutating func expire(before cutoff: UInt64, limit: Int = .max) -> Int {
        var early = 0
        while head < order[0].count, order[0][head].millis < cutoff || tracked > limit {
            let (key, millis) = order[0][head]
            let s = Self.shard(key)
            if shards[s][key] == millis, shards[s].state(of: key) != .queued {
                if millis >= cutoff { early += 1 }
                shards[s].removeValue(forKey: key)
                count -= 1
            }
            head += 1
            tracked -= 1
            if head == order[0].count, order.count > 1 {
                order.removeFirst()
                head = 0
            }
        }
        return early
    }
}
