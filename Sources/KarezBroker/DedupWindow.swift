/// An item's identity for the dedup window: its kind (an index) and id.
struct DedupKey: Hashable {
    var kind: Int
    var id: String
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

    /// The shard of a key, from an FNV-1a hash of its id (cheap; the shard's own hashing is Swift's).
    @inline(__always) private static func shard(_ key: DedupKey) -> Int {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in key.id.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return Int(truncatingIfNeeded: (h ^ UInt64(key.kind)) >> UInt64(64 - shardBits))
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
