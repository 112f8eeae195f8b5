/// Counts terms keyed by a non-zero 64-bit key in one flat open-addressing table, remembering
/// where each term first occurs, whether the scalar before (after) it is always the same one
/// (which tells a fragment such as 疆工作队, always after 援, from a term), and for n-grams the
/// slots of the two (n-1)-grams inside them.
///
/// Sized once for the text and never rehashed: when it is three-quarters full, new terms are
/// dropped (known ones are still counted). The tables are raw memory owned by this value and
/// freed when it goes away; only the key table is cleared up front.
struct TermCounter: ~Copyable {
    /// What is known of one term.
    struct Entry {
        var count: Int32
        var first: Int32
        var length: Int32
        var left: UInt32
        var right: UInt32
        /// Bit 0: the scalar before varies; bit 1: the scalar after varies.
        var varies: UInt32
        /// The largest count of a longer term containing this one (see ``raiseSuper(_:to:)``).
        var superCount: Int32
        var parts: SIMD2<Int32>
    }

    private let keys: UnsafeMutablePointer<UInt64>
    private let entries: UnsafeMutablePointer<Entry>
    /// Occupied slots in order of first insertion.
    private let order: UnsafeMutablePointer<Int32>
    private(set) var count = 0
    private let mask: Int
    private let limit: Int

    /// A counter for about `expected` distinct terms.
    init(expected: Int) {
        var capacity = 64
        while capacity < expected + expected / 2 { capacity <<= 1 }
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        entries = .allocate(capacity: capacity)
        mask = capacity - 1
        limit = capacity * 3 / 4
        order = .allocate(capacity: limit)
    }

    deinit {
        keys.deallocate()
        entries.deallocate()  // Entry is trivial: nothing to deinitialise
        order.deallocate()
    }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask }

    /// Counts one occurrence of `key` (non-zero) spanning `length` scalars from `start`, between
    /// the scalars `before` and `after` (0 for a boundary), made of the terms in slots `parts`
    /// (-1 when none); returns its slot, or -1 when the table is full.
    @inline(__always) @discardableResult
    mutating func add(_ key: UInt64, start: Int, length: Int, before: UInt32, after: UInt32, parts: SIMD2<Int32> = SIMD2(-1, -1)) -> Int32 {
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key {
                entries[i].count &+= 1
                if entries[i].left != before { entries[i].varies |= 1 }
                if entries[i].right != after { entries[i].varies |= 2 }
                return Int32(truncatingIfNeeded: i)
            }
            if k == 0 {
                guard count < limit else { return -1 }
                keys[i] = key
                (entries + i).initialize(to: Entry(count: 1, first: Int32(truncatingIfNeeded: start), length: Int32(truncatingIfNeeded: length),
                                                   left: before, right: after, varies: 0, superCount: 0, parts: parts))
                order[count] = Int32(truncatingIfNeeded: i)
                count += 1
                return Int32(truncatingIfNeeded: i)
            }
            i = (i + 1) & mask
        }
    }

    /// The slot of the `index`-th distinct term.
    @inline(__always) func slot(_ index: Int) -> Int { Int(order[index]) }
    @inline(__always) func key(_ slot: Int) -> UInt64 { keys[slot] }
    @inline(__always) func entry(_ slot: Int) -> Entry { entries[slot] }
    @inline(__always) func occurrences(_ slot: Int) -> Int { Int(entries[slot].count) }

    /// Records that a longer term containing the one in `slot` occurs `count` times.
    @inline(__always) func raiseSuper(_ slot: Int, to count: Int32) {
        if entries[slot].superCount < count { entries[slot].superCount = count }
    }

    /// True when every occurrence of the term in `slot` has the same non-boundary scalar before
    /// it, or the same one after it.
    func isFragment(_ slot: Int) -> Bool {
        let e = entries[slot]
        return (e.varies & 1 == 0 && e.left != 0) || (e.varies & 2 == 0 && e.right != 0)
    }
}
