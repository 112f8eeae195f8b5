/// The keywords of a story: its most frequent meaningful terms.
///
/// Method. Chinese: the text is cut into segments at everything that is not a CJK ideograph, at
/// function characters (的, 了, 和 … ``StopWords/chineseCharacters``) and at numbers with what
/// counts them (60余名, 500多万元, 2023年5月); inside segments,
/// 2-scalar n-grams are counted, then 3-grams whose two 2-grams occur at least twice, then 4-grams
/// whose two 3-grams do (a rarer n-gram cannot be a candidate). A candidate occurs at least twice,
/// is not a common word (``StopWords/chineseWords``), is not a fragment (always the same ideograph
/// before it, or after it: 疆工作队 is always in 援疆工作队), and is not mostly part of a longer
/// candidate (a candidate one scalar longer that contains it and occurs at least ¾ as often:
/// 援疆工 in 援疆工作; this also excludes every 2- and 3-scalar fragment, so only 4-grams are
/// tested for being one; in a text with more distinct terms than the table holds, a longer term
/// may be dropped, and with it that exclusion). English: words of three letters or more (and at
/// most ``TermCounter/maxLength``), in lower case, minus stop words.
/// Candidates are ranked by count × √(length / 2) (a 4-scalar term seen 5 times outranks a
/// 2-scalar one seen 7), ties by first occurrence, and the first ``limit`` are kept. English
/// words need one occurrence in English stories, two in Chinese ones.
enum KeywordExtractor {
    static let limit = 10
    /// What follows a number before its unit, or stands for one: 余 多 几 万 亿 千 百 元 年 月 日 号.
    static let numberTail = ScalarSet("余多几万亿千百元年月日号")
    private static let latinTag: UInt64 = 0xF << 60
    /// A repeated 3- or 4-gram and the two shorter terms it is made of (their counter slots), for
    /// the containment rule.
    private typealias Composite = (slot: Int32, parts: SIMD2<Int32>)

    static func keywords(_ t: UnsafeBufferPointer<UInt32>, text: ScalarText, english: Bool) -> [String] {
        let n = t.count
        guard n >= 2 else { return [] }
        precondition(n <= TermCounter.maxStart, "keywords of a text longer than TermCounter holds")
        let stops = StopWords.chineseCharacters
        var counter = TermCounter(expected: n * 3 / 4 + 16)
        // Per position: the slot of the 2-gram and of the 3-gram ending there, or -1.
        let slot2 = UnsafeMutablePointer<Int32>.allocate(capacity: n + 2)
        let slot3 = UnsafeMutablePointer<Int32>.allocate(capacity: n + 2)
        // Per position: whether the 2-gram (3-gram) ending there occurs at least twice, set as
        // counting finds out, so the later passes visit only those positions, in order.
        var repeated2 = PositionBits(count: n + 2)
        var repeated3 = PositionBits(count: n + 2)
        defer { slot2.deallocate(); slot3.deallocate() }
        @inline(__always) func code(_ u: UInt32) -> UInt64 { UInt64(u &- 0x3400 &+ 1) }
        var englishWords: [Int32] = []
        var composites: [Composite] = []
        composites.reserveCapacity(n / 16 + 16)

        // 2-grams, and English words. Position arithmetic wraps (&+, &-): positions lie within
        // the text, so it cannot overflow, and the overflow checks took 8% of this function.
        var run = 0  // content scalars so far in the current segment
        var i = 0
        while i < n {
            let u = t[i]
            if u &- 0x3400 <= 0x9FFF - 0x3400 && !stops.contains(u) {
                run &+= 1
                if run >= 2 {
                    let (s, count) = counter.add(2 << 60 | code(t[i &- 1]) << 15 | code(u), start: i &- 1, length: 2)
                    slot2[i] = s
                    if s >= 0 { repeated2.noteOccurrence(at: i, count: count, of: Int(s), in: counter) }
                } else {
                    slot2[i] = -1
                }
                i &+= 1
                continue
            }
            run = 0
            slot2[i] = -1
            if Scalars.isDigit(u) {
                // A number and what counts it (60余名, 500多万元, 2023年5月) are not words.
                var j = i + 1
                while j < n, Scalars.isDigit(t[j]) || t[j] == 0x2E || t[j] == 0x2C { slot2[j] = -1; j &+= 1 }
                while j < n, Self.numberTail.contains(t[j]) { slot2[j] = -1; j &+= 1 }
                if let unit = QuantityUnits.trie.longestMatch(t, at: j) {
                    for k in j..<unit.end { slot2[k] = -1 }
                    j = unit.end
                }
                i = j
                continue
            }
            if Scalars.isASCIILetter(u) {
                var hash: UInt64 = 0xCBF2_9CE4_8422_2325
                var j = i
                while j < n, Scalars.isASCIILetter(t[j]) {
                    hash = (hash ^ UInt64(Scalars.folded(t[j]))) &* 0x100_0000_01B3
                    slot2[j] = -1
                    j &+= 1
                }
                if j - i >= 3, j - i <= TermCounter.maxLength {
                    let (s, count) = counter.add(latinTag | hash & 0x0FFF_FFFF_FFFF_FFFF | 1, start: i, length: j - i)
                    if english, s >= 0, count == 1 { englishWords.append(s) }
                }
                i = j
                continue
            }
            i &+= 1
        }
        slot2[n] = -1
        slot2[n + 1] = -1
        // 3-grams of repeated 2-grams. Only 4-grams need their context noted for the fragment
        // test: a 2-gram or 3-gram always next to the same ideograph has a term one scalar
        // longer that occurs as often (counted here, since its other part repeats too), so the
        // containment rule excludes it already.
        // (slot3 is read only where repeated3 is set, which only this pass sets, after writing it.)
        repeated2.forEachAfterAnother { i in  // the 2-grams ending at i - 1 and i both repeat
            let a = slot2[i &- 1], b = slot2[i]
            let (s, count) = counter.add(3 << 60 | code(t[i &- 2]) << 30 | code(t[i &- 1]) << 15 | code(t[i]), start: i &- 2, length: 3)
            slot3[i] = s
            if s >= 0 {
                repeated3.noteOccurrence(at: i, count: count, of: Int(s), in: counter)
                if count == 2 { composites.append((s, SIMD2(a, b))) }
            }
        }
        // 4-grams of repeated 3-grams.
        // The neighbours of the 4-gram ending at `e` within its segment (0 at a boundary).
        func noteContext(_ s: Int32, endingAt e: Int) {
            counter.noteContext(Int(s), before: e >= 4 && slot2[e &- 3] >= 0 ? t[e &- 4] : 0, after: slot2[e &+ 1] >= 0 ? t[e &+ 1] : 0)
        }
        repeated3.forEachAfterAnother { i in  // the 3-grams ending at i - 1 and i both repeat
            let a = slot3[i &- 1], b = slot3[i]
            let (s, count) = counter.add(4 << 60 | code(t[i &- 3]) << 45 | code(t[i &- 2]) << 30 | code(t[i &- 1]) << 15 | code(t[i]),
                                         start: i &- 3, length: 4)
            // Parts and context matter for repeated 4-grams only (whose details exist from their
            // second occurrence on): the first occurrence's context is noted then, from where it ends.
            guard s >= 0, count >= 2 else { return }
            if count == 2 {
                composites.append((s, SIMD2(a, b)))
                noteContext(s, endingAt: counter.span(Int(s)).first + 3)
            }
            noteContext(s, endingAt: i)
        }
        return rank(counter, composites: composites, englishWords: englishWords, text: text, t: t)
    }

    /// How many of the best candidates are looked at before stop words are removed.
    private static let shortlist = 32

    private static func rank(_ counter: borrowing TermCounter, composites: [Composite], englishWords: [Int32],
                             text: ScalarText, t: UnsafeBufferPointer<UInt32>) -> [String] {
        // For each n-gram, the largest count of a longer candidate containing it.
        for c in composites {
            let count = Int32(counter.occurrences(Int(c.slot)))
            counter.raiseSuper(Int(c.parts[0]), to: count)
            counter.raiseSuper(Int(c.parts[1]), to: count)
        }
        // The best candidates, best first. Scores compared squared, count² × length (the order of
        // count × √(length / 2)), in integers.
        var best = Shortlist(capacity: shortlist)
        func consider(_ s: Int) {
            let count = counter.occurrences(s)
            let (first, length) = counter.span(s)
            let score = count * count * length
            guard best.admits(score: score, first: first) else { return }
            // The details only now: most terms fall short of the shortlist already (neither test
            // changes anything, so their order does not change the result).
            if counter.key(s) >> 60 != 0xF, counter.details(s).superCount * 4 >= count * 3 || counter.isFragment(s) { return }
            best.insert(score: score, first: first, slot: s)
        }
        for index in 0..<counter.repeatedCount { consider(counter.repeatedSlot(index)) }
        for s in englishWords where counter.occurrences(Int(s)) == 1 { consider(Int(s)) }  // repeated ones are in already
        var out: [String] = []
        out.reserveCapacity(min(best.count, limit))
        for k in 0..<best.count {
            let c = best[k]
            let end = c.first + counter.span(c.slot).length
            if counter.key(c.slot) >> 60 == 0xF {
                let word = text.lowercasedString(c.first, end)
                if StopWords.english.contains(word) { continue }
                out.append(word)
            } else {
                if StopWords.chineseWords.containsKey(t, c.first, end) { continue }
                out.append(text.string(c.first, end))
            }
            if out.count == limit { break }
        }
        return out
    }
}

/// The best few candidates, best first: a higher score, then an earlier first occurrence. Fixed
/// capacity in raw memory, so offering a candidate that does not make it costs two comparisons.
private struct Shortlist: ~Copyable {
    private let entries: UnsafeMutablePointer<(score: Int, first: Int, slot: Int)>
    private let capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        entries = .allocate(capacity: capacity)
    }

    deinit { entries.deallocate() }

    @inline(__always) private static func precedes(_ score: Int, _ first: Int, _ other: (score: Int, first: Int, slot: Int)) -> Bool {
        score > other.score || (score == other.score && first < other.first)
    }

    /// True when a candidate with `score` first occurring at `first` would make the list.
    @inline(__always) func admits(score: Int, first: Int) -> Bool {
        count < capacity || Self.precedes(score, first, entries[count - 1])
    }

    /// Adds a candidate that ``admits(score:first:)``, dropping the last one when full.
    mutating func insert(score: Int, first: Int, slot: Int) {
        var at = min(count, capacity - 1)
        while at > 0, Self.precedes(score, first, entries[at - 1]) {
            entries[at] = entries[at - 1]
            at -= 1
        }
        entries[at] = (score, first, slot)
        count = min(count + 1, capacity)
    }

    subscript(k: Int) -> (score: Int, first: Int, slot: Int) { entries[k] }
}
