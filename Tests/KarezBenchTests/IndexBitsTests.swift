import Testing
@testable import KarezBench

@Suite("IndexBits: the load producer's set of finished item numbers")
struct IndexBitsTests {
    @Test func holdsExactlyTheNumbersInserted() {
        var bits = IndexBits()
        let inserted = [0, 1, 63, 64, 65, 127, 128, 1_000, 4_095, 70_000, 1_000_003]
        for n in inserted { bits.insert(n) }
        bits.insert(64)  // again: no change
        for n in inserted { #expect(bits.contains(n)) }
        for n in [2, 62, 66, 126, 129, 999, 4_094, 69_999, 1_000_002, 1_000_004, 5_000_000] { #expect(!bits.contains(n)) }
        var all = Set(inserted)
        for n in stride(from: 5, to: 200_000, by: 7) { bits.insert(n); all.insert(n) }
        #expect((0..<1_100_000).filter { bits.contains($0) }.count == all.count)
    }
}
