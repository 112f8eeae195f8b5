/// One shard of the dedup window: when each key was accepted, in an open-addressing table
/// probed linearly from the key's own (seeded) hash, with deletion by backward shift, so there
/// are no tombstones. An entry is 32 bytes in one array, so a lookup touches one cache line,
/// where a `Dictionary` hashes again and touches its bitmap, its keys and its values.
struct FingerprintTable {
    private struct Slot {
        var hash: UInt64
        var check: UInt64
        var millis: UInt64
        /// The kind index, or -1 for an empty slot.
        var kind: Int32
        /// How the item ended so far (``ItemState``'s raw value).
        var state: UInt8 = 0
    }

    private static let empty = Slot(hash: 0, check: 0, millis: 0, kind: -1)
    private var slots = [Slot](repeating: empty, count: 16)
    private var mask = 15
    /// Keys held.
    private(set) var count = 0

    /// The home slot of a hash: bits below the ones that chose the shard.
    @inline(__always) private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash) & mask }

    /// The slot holding `key`, or the empty slot where it would go.
    @inline(__always) private func position(of key: DedupKey) -> (Int, found: Bool) {
        var i = home(key.hash)
        while true {
            let s = slots[i]
            if s.kind < 0 { return (i, false) }
            if s.hash == key.hash && s.check == key.check && Int(s.kind) == key.kind { return (i, true) }
            i = (i &+ 1) & mask
        }
    }

    /// Reads the first slot `key` probes and returns a word of it: called for a whole batch of
    /// keys before they are looked up, so the cache misses of the batch overlap instead of
    /// coming one after another.
    @inline(__always) func touch(_ key: DedupKey) -> UInt64 { slots[home(key.hash)].hash }

    /// When `key` was accepted, if it is here.
    subscript(key: DedupKey) -> UInt64? {
        let (i, found) = position(of: key)
        return found ? slots[i].millis : nil
    }

    /// Sets when `key` was accepted; returns the time it replaced, if any.
    mutating func updateValue(_ millis: UInt64, forKey key: DedupKey) -> UInt64? {
        var (i, found) = position(of: key)
        if found {
            defer { slots[i].millis = millis }
            return slots[i].millis
        }
        if (count + 1) * 2 > slots.count {
            grow()
            i = position(of: key).0
        }
        slots[i] = Slot(hash: key.hash, check: key.check, millis: millis, kind: Int32(key.kind))
        count += 1
        return nil
    }

    /// How the item of `key` stands, if it is here.
    func state(of key: DedupKey) -> ItemState? {
        let (i, found) = position(of: key)
        return found ? ItemState(rawValue: slots[i].state) : nil
    }

    /// Records how the item of `key` ended (nothing when the key is not here).
    /// Sets how the item of `key` stands and when, in one probe; false when `key` is not here.
    mutating func finish(_ key: DedupKey, _ state: ItemState, at millis: UInt64) -> Bool {
        let (i, found) = position(of: key)
        guard found else { return false }
        slots[i].state = state.rawValue
        slots[i].millis = millis
        return true
    }

    mutating func setState(_ state: ItemState, of key: DedupKey) {
        let (i, found) = position(of: key)
        if found { slots[i].state = state.rawValue }
    }

    /// Removes `key`; returns when it was accepted, if it was here.
    @discardableResult
    mutating func removeValue(forKey key: DedupKey) -> UInt64? {
        let (p, found) = position(of: key)
        guard found else { return nil }
        let millis = slots[p].millis
        var hole = p
        var j = p
        while true {
            j = (j &+ 1) & mask
            if slots[j].kind < 0 { break }
            let h = home(slots[j].hash)
            // The entry at j stays when its home lies cyclically in (hole, j].
            if hole <= j ? (hole < h && h <= j) : (hole < h || h <= j) { continue }
            slots[hole] = slots[j]
            hole = j
        }
        slots[hole].kind = -1
        count -= 1
        return millis
    }

    private mutating func grow() {
        let old = slots
        slots = [Slot](repeating: Self.empty, count: old.count * 2)
        mask = slots.count - 1
        for s in old where s.kind >= 0 {
            var i = home(s.hash)
            while slots[i].kind >= 0 { i = (i &+ 1) & mask }
            slots[i] = s
        }
    }
}
