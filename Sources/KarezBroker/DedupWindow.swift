import KarezProtocol

/// An item's identity for the dedup window: its kind (an index) and id.
struct DedupKey: Hashable {
    let kind: Int
    let id: String
    /// A hash of kind and id, computed once from the id's bytes: the shard, the table's hashing
    /// (a growing shard rehashes without touching ids) and a first equality check (probing
    /// compares ids only when the hashes agree) all use it.
    let hash: UInt64

    init(kind: Int, id: String) {
        (self.kind, self.id) = (kind, id)
        hash = ByteHash.mix(ByteHash.hash(id) &+ UInt64(truncatingIfNeeded: kind))
    }

    func hash(into hasher: inout Hasher) { hasher.combine(hash) }

    static func == (a: DedupKey, b: DedupKey) -> Bool { a.hash == b.hash && a.kind == b.kind && a.id == b.id }
}

/// The ids accepted within the dedup window, with when each was accepted.
///
/// At high rates the window holds tens of millions of ids, so it is built not to stall the
/// broker: the table is split into 256 shards (a growing shard rehashes 1/256 of the ids, not
/// all of them at once), and the acceptance order used for expiry is kept in chunks (dropping
/// expired ids never shifts a large array).
struct DedupWindow {
    private static let shardBits = 8
    private var shards = [[DedupKey: UInt64]](repeating: [:], count: 1 << shardBits)
    private var order: [[(key: DedupKey, millis: UInt64)]] = [[]]
    private var head = 0
    private static let chunk = 4096

    /// Ids in the window.
    private(set) var count = 0

    /// The shard of a key: the top bits of its hash (the shard's table uses all of them).
    @inline(__always) private static func shard(_ key: DedupKey) -> Int {
        Int(truncatingIfNeeded: key.hash >> UInt64(64 - shardBits))
    }

    /// When `key` was accepted, if it is in the window.
    func acceptedAt(_ key: DedupKey) -> UInt64? { shards[Self.shard(key)][key] }

    /// Records `key` as accepted at `millis` and returns when it was accepted before, if ever;
    /// ``restore(_:_:)`` undoes it. Call ``track(_:_:)`` once the acceptance stands.
    mutating func update(_ key: DedupKey, _ millis: UInt64) -> UInt64? {
        let previous = shards[Self.shard(key)].updateValue(millis, forKey: key)
        if previous == nil { count += 1 }
        return previous
    }

    /// Puts back what ``update(_:_:)`` replaced.
    mutating func restore(_ key: DedupKey, _ previous: UInt64?) {
        if let previous { shards[Self.shard(key)][key] = previous } else if shards[Self.shard(key)].removeValue(forKey: key) != nil { count -= 1 }
    }

    /// Queues `key` for expiry `window` after `millis`.
    mutating func track(_ key: DedupKey, _ millis: UInt64) {
        if order[order.count - 1].count == Self.chunk { order.append([]) }
        order[order.count - 1].append((key, millis))
    }

    /// Records and tracks an acceptance.
    mutating func remember(_ key: DedupKey, _ millis: UInt64) {
        _ = update(key, millis)
        track(key, millis)
    }

    /// Forgets ids accepted before `cutoff` (unless accepted again since), and the oldest ones
    /// beyond `limit`. Returns how many were forgotten early because of `limit`.
    @discardableResult
    mutating func expire(before cutoff: UInt64, limit: Int = .max) -> Int {
        var early = 0
        while head < order[0].count, order[0][head].millis < cutoff || count > limit {
            if order[0][head].millis >= cutoff { early += 1 }
            let (key, millis) = order[0][head]
            let s = Self.shard(key)
            if shards[s][key] == millis {
                shards[s][key] = nil
                count -= 1
            }
            head += 1
            if head == order[0].count, order.count > 1 {
                order.removeFirst()
                head = 0
            }
        }
        return early
    }
}
