import Testing
@testable import KarezBench

@Suite("IndexTable: the load producer's tables of items in flight, by item number")
struct IndexTableTests {
    /// Random inserts, lookups, removals and filters, mostly in order with stragglers and old
    /// keys sent again, checked step by step against a dictionary.
    @Test(arguments: [8, 64, 1 << 20])
    func behavesAsADictionary(maxSpan: Int) {
        var table = IndexTable<Int>(maxSpan: maxSpan)
        var model: [Int: Int] = [:]
        var g = SystemRandomNumberGenerator()
        var next = 0
        for step in 0..<40_000 {
            switch Int.random(in: 0..<100, using: &g) {
            case 0..<45:  // a new item
                table[next] = step
                model[next] = step
                next += 1
            case 45..<85:  // an answer, usually for one of the oldest
                guard next > 0 else { continue }
                let key = Int.random(in: 0..<4, using: &g) == 0 ? Int.random(in: 0..<next, using: &g) : max(0, next - Int.random(in: 1...40, using: &g))
                #expect(table.removeValue(forKey: key) == model.removeValue(forKey: key))
            case 85..<95:  // an old item sent again
                guard next > 0 else { continue }
                let key = Int.random(in: 0..<next, using: &g)
                table[key] = -step
                model[key] = -step
            case 95..<99:
                let key = Int.random(in: -5..<(next + 5), using: &g)
                #expect(table[key] == model[key])
            default:  // a broker restarted: drop what it held
                let odd = step % 2 == 0
                let removed = table.removeAll { ($0 & 1 == 0) == odd }
                let before = model.count
                model = model.filter { ($0.value & 1 == 0) != odd }
                #expect(removed == before - model.count)
            }
            #expect(table.count == model.count)
            #expect(table.isEmpty == model.isEmpty)
        }
        #expect(Dictionary(uniqueKeysWithValues: table.entries.map { ($0.key, $0.value) }) == model)
        for key in -3..<(next + 3) { #expect(table[key] == model[key]) }
    }

    @Test func aKeyNeverAnsweredMovesBehindAndIsStillFound() {
        var table = IndexTable<Int>(maxSpan: 100)
        table[0] = 7  // never answered
        for n in 1...10_000 {
            table[n] = n
            #expect(table.removeValue(forKey: n) == n)
        }
        #expect(table.count == 1)
        #expect(table[0] == 7)
        #expect(table.removeValue(forKey: 0) == 7)
        #expect(table.isEmpty && table.entries.isEmpty)
    }

    @Test func keysNeverFilledDoNotHoldTheArray() {
        var table = IndexTable<Int>()
        // Items 0…4 were answered DUP (never tracked), 5…1004 are tracked and answered in order.
        for n in 5..<1005 { table[n] = n }
        for n in 5..<1005 {
            #expect(table.removeValue(forKey: n) == n)
            #expect(table.span == (n == 1004 ? 0 : 1004 - n))
        }
        #expect(table.isEmpty)
    }
}
