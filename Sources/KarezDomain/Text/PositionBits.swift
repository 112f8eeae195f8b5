/// A set of text positions as one bit each, for passes that visit only the positions an earlier
/// pass marked: ``forEachAfterAnother(_:)`` picks the marked positions that follow a marked one
/// 64 positions at a time and visits them in increasing order. The bits are raw memory owned by
/// this value.
struct PositionBits: ~Copyable {
    private let words: UnsafeMutablePointer<UInt64>
    private let wordCount: Int

    /// An empty set for positions `0 ..< count`.
    init(count: Int) {
        wordCount = (count + 63) >> 6
        words = .allocate(capacity: max(wordCount, 1))
        words.initialize(repeating: 0, count: wordCount)
    }

    deinit { words.deallocate() }

    /// Adds position `i`.
    @inline(__always) mutating func insert(_ i: Int) { words[i >> 6] |= 1 << UInt64(i & 63) }

    /// True when position `i` is in the set.
    @inline(__always) func contains(_ i: Int) -> Bool { words[i >> 6] >> UInt64(i & 63) & 1 != 0 }

    /// Calls `body` with every position `i` in the set whose predecessor `i - 1` is in the set
    /// too, in increasing order, choosing them a word at a time (no test per position); `body` may
    /// add positions to other sets, not to this one.
    @inline(__always) func forEachAfterAnother(_ body: (Int) -> Void) {
        var carry: UInt64 = 0  // the top bit of the previous word
        for w in 0..<wordCount {
            let word = words[w]
            var bits = word & (word << 1 | carry)
            carry = word >> 63
            while bits != 0 {
                body(w << 6 | bits.trailingZeroBitCount)
                bits &= bits &- 1
            }
        }
    }

    /// Marks position `i`, where an occurrence of the term in `slot` of `counter` ends, when that
    /// term now occurs at least twice (`count`, as ``TermCounter/add(_:start:length:)``
    /// returned it); on its second occurrence also marks where its first one ends, so that once
    /// counting is over the set holds every position where a repeated term ends.
    @inline(__always) mutating func noteOccurrence(at i: Int, count: Int32, of slot: Int, in counter: borrowing TermCounter) {
        guard count >= 2 else { return }
        insert(i)
        if count == 2 {
            let (first, length) = counter.span(slot)
            insert(first + length - 1)
        }
    }
}
