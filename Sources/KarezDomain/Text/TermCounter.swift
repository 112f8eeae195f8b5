/// Counts terms keyed by a non-zero 64-bit key in one flat open-addressing table: how often each
/// occurs, where it first occurs, and, for the terms whose context is recorded, whether the
/// scalar before (after) them is always the same one (which tells a fragment such as 疆工作队,
/// always after 援, from a term) and how often a longer term containing them occurs.
///
/// Sized once for the text and never rehashed: when it is three-quarters full, new terms are
/// dropped (known ones are still counted). The tables are raw memory owned by this value and
/// freed when it goes away; only the key table is cleared up front. Counting touches only keys
/// and 8-byte records (count, first position, length); the rest lives apart, so the hot loop
/// stays in cache.
struct TermCounter: ~Copyable {
    /// What is known of one term besides its key, count and span, in 12 bytes.
    struct Details {
        /// The scalar before every occurrence recorded so far (0 for a boundary), or ``unseen``
        /// or ``varies``.
        var left: UInt32
        /// The same for the scalar after.
        var right: UInt32
        /// The largest count of a longer term containing this one (see ``raiseSuper(_:to:)``).
        var superCount: Int32

        /// No occurrence recorded yet.
        static let unseen = UInt32.max
        /// Occurrences recorded with different neighbours on that side (no scalar is this large).
        static let varies = UInt32.max - 1
    }

    /// How often a term occurs, where it first occurs and its length (`first << 8 | length`), in
    /// 8 bytes: a new term is one store, and counting touches one line beside the key's.
    private struct Record {
        var count: Int32
        var span: UInt32
    }

    /// The longest term, and the last position a term may start at, that a record holds.
    static let maxLength = 255
    static let maxStart = (1 << 24) - 1

    private let keys: UnsafeMutablePointer<UInt64>
    private let records: UnsafeMutablePointer<Record>
    /// Filled in for terms when they repeat.
    private let details: UnsafeMutablePointer<Details>
    /// Slots whose term occurs at least twice, in the order they got there.
    private let repeated: UnsafeMutablePointer<Int32>
    private(set) var repeatedCount = 0
    private var used = 0
    private let mask: Int
    private let limit: Int

    /// A counter for about `expected` distinct terms.
    init(expected: Int) {
        var capacity = 64
        while capacity < expected + expected / 2 { capacity <<= 1 }
        keys = .allocate(capacity: capacity)
        keys.initialize(repeating: 0, count: capacity)
        records = .allocate(capacity: capacity)
        details = .allocate(capacity: capacity)
        mask = capacity - 1
        limit = capacity * 3 / 4
        repeated = .allocate(capacity: limit)
    }

    deinit {
        keys.deallocate()
        records.deallocate()
        details.deallocate()  // trivial types: nothing to deinitialise
        repeated.deallocate()
    }

    @inline(__always) private func home(_ key: UInt64) -> Int { Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask }

    /// Counts one occurrence of `key` (non-zero) spanning `length` scalars (at most ``maxLength``)
    /// from `start` (at most ``maxStart``); returns its slot (-1 when the table is full) and how
    /// often it has occurred now. The details of a term are set up when it repeats.
    @inline(__always) @discardableResult
    mutating func add(_ key: UInt64, start: Int, length: Int) -> (slot: Int32, count: Int32) {
        var i = home(key)
        while true {
            let k = keys[i]
            if k == key {
                let count = records[i].count &+ 1
                records[i].count = count
                if count == 2 {
                    repeated[repeatedCount] = Int32(truncatingIfNeeded: i)
                    repeatedCount &+= 1
                    initializeDetails(i)
                }
                return (Int32(truncatingIfNeeded: i), count)
            }
            if k == 0 {
                guard used < limit else { return (-1, 0) }
                used &+= 1
                keys[i] = key
                records[i] = Record(count: 1, span: UInt32(truncatingIfNeeded: start) << 8 | UInt32(truncatingIfNeeded: length))
                return (Int32(truncatingIfNeeded: i), 1)
            }
            i = (i &+ 1) & mask
        }
    }

    @inline(__always) private func initializeDetails(_ i: Int) {
        (details + i).initialize(to: Details(left: Details.unseen, right: Details.unseen, superCount: 0))
    }

    /// Records one occurrence's neighbours of the term in `slot` (0 for a boundary); the term must
    /// be repeated.
    @inline(__always) func noteContext(_ slot: Int, before: UInt32, after: UInt32) {
        let d = details + slot
        if d.pointee.left == Details.unseen {
            d.pointee.left = before
            d.pointee.right = after
        } else {
            if d.pointee.left != before { d.pointee.left = Details.varies }
            if d.pointee.right != after { d.pointee.right = Details.varies }
        }
    }

    /// The slot of the `index`-th term that occurs at least twice.
    @inline(__always) func repeatedSlot(_ index: Int) -> Int { Int(repeated[index]) }
    @inline(__always) func key(_ slot: Int) -> UInt64 { keys[slot] }
    @inline(__always) func occurrences(_ slot: Int) -> Int { Int(records[slot].count) }
    /// The details of a repeated term.
    @inline(__always) func details(_ slot: Int) -> Details { details[slot] }
    /// Where the term in `slot` first occurs, and its length.
    @inline(__always) func span(_ slot: Int) -> (first: Int, length: Int) {
        let span = records[slot].span
        return (Int(span >> 8), Int(span & 0xFF))
    }

    /// Records that a longer term containing the one in `slot` occurs `count` times.
    @inline(__always) func raiseSuper(_ slot: Int, to count: Int32) {
        if details[slot].superCount < count { details[slot].superCount = count }
    }

    /// True when every recorded occurrence of the term in `slot` has the same non-boundary scalar
    /// before it, or the same one after it.
    func isFragment(_ slot: Int) -> Bool {
        let d = details[slot]
        guard d.left != Details.unseen else { return false }
        return (d.left != Details.varies && d.left != 0) || (d.right != Details.varies && d.right != 0)
    }
}
