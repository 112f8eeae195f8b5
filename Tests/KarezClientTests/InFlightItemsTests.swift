@testable import KarezClient
import KarezProtocol
import Testing

@Suite("Publisher: items in flight")
struct InFlightItemsTests {
    func item(_ id: String, _ body: String = "{}") -> PublishedItem { PublishedItem(id: id, kind: "noop", body: Array(body.utf8)) }

    func remove(_ table: inout InFlightItems, _ id: String) -> PublishedItem? {
        Array(id.utf8).withUnsafeBytes { table.remove(id: $0) }
    }

    @Test("matches a dictionary keyed by id over a long random run of inserts and removals")
    func randomAgainstDictionary() {
        var table = InFlightItems()
        var model: [String: PublishedItem] = [:]
        var rng = SystemRandomNumberGenerator()
        let start = ContinuousClock.now
        for step in 0..<60_000 {
            // Ids of every length from 1 to 40 bytes, some short enough to collide in the table's low bits.
            let n = Int.random(in: 0..<3000, using: &rng)
            let id = "id-\(n)" + String(repeating: "x", count: n % 37)
            if Bool.random(using: &rng) || model.isEmpty {
                let it = item(id, "{\"step\":\(step)}")
                table.insert(it, sentAt: start)
                model[id] = it
            } else {
                #expect(remove(&table, id) == model.removeValue(forKey: id), "step \(step): \(id)")
            }
            #expect(table.count == model.count)
        }
        for (id, it) in model { #expect(remove(&table, id) == it) }
        #expect(table.isEmpty)
        #expect(remove(&table, "id-1") == nil)
    }

    @Test("an id sent again while in flight replaces the earlier entry")
    func sameIDTwice() {
        var table = InFlightItems()
        table.insert(item("a", "{\"v\":1}"), sentAt: .now)
        table.insert(item("a", "{\"v\":2}"), sentAt: .now)
        #expect(table.count == 1)
        #expect(table.remove(id: "a")?.body == Array("{\"v\":2}".utf8))
        #expect(table.remove(id: "a") == nil)
    }

    @Test("items sent before a cutoff are taken out for resending, later ones stay")
    func staleItems() {
        var table = InFlightItems()
        let t0 = ContinuousClock.now
        for i in 0..<100 { table.insert(item("old-\(i)"), sentAt: t0) }
        for i in 0..<50 { table.insert(item("new-\(i)"), sentAt: t0 + .seconds(10)) }
        let stale = table.removeSent(before: t0 + .seconds(5))
        #expect(Set(stale.map(\.id)) == Set((0..<100).map { "old-\($0)" }))
        #expect(table.count == 50)
        for i in 0..<50 { #expect(table.remove(id: "new-\(i)") != nil) }
        #expect(table.isEmpty)
    }
}
