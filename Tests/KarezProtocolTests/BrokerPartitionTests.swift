import Foundation
import Testing
import KarezProtocol

@Suite("Broker partitioning: the same broker for an item in every language")
struct BrokerPartitionTests {
    struct PartitionVector: Decodable {
        let kind: String, id: String, fnv1a: String
        let broker: [String: Int]
    }

    @Test func swiftAgreesWithThePythonReferenceOnEveryVector() throws {
        let data = try Data(contentsOf: protoJSON.appendingPathComponent("partition-vectors.json"))
        let vectors = try JSONDecoder().decode([PartitionVector].self, from: data)
        #expect(vectors.count >= 8)
        for v in vectors {
            let hash = BrokerPartition.fnv1a(kind: v.kind.utf8, id: v.id.utf8)
            #expect(String(hash, radix: 16).leftPadded(16) == v.fnv1a, "fnv1a of \(v.kind)/\(v.id)")
            for (n, expected) in v.broker {
                #expect(BrokerPartition.index(kind: v.kind, id: v.id, brokers: Int(n)!) == expected, "\(v.kind)/\(v.id) over \(n)")
            }
        }
    }

    @Test func itemsSpreadEvenlyAndAppendingABrokerMovesOnlyItsShare() {
        let n = 30_000
        var counts = [0, 0, 0]
        var moved = 0
        for i in 0..<n {
            let three = BrokerPartition.index(kind: "patient", id: "p-\(i)", brokers: 3)
            let four = BrokerPartition.index(kind: "patient", id: "p-\(i)", brokers: 4)
            counts[three] += 1
            if three != four {
                moved += 1
                #expect(four == 3, "an item moves only to the new broker")
            }
        }
        for c in counts { #expect(abs(c - n / 3) < n / 30, "each of 3 brokers within 10% of a third: \(counts)") }
        #expect(abs(moved - n / 4) < n / 40, "about a quarter moves to the 4th broker: \(moved)")
    }

    @Test func endpointListsAreParsedInOrderAndMistakesNamed() throws {
        #expect(try EndpointList.parse("tcp://a:7700") == ["tcp://a:7700"])
        #expect(try EndpointList.parse("tcp://a:7700, tcp://b:7700") == ["tcp://a:7700", "tcp://b:7700"])
        #expect(throws: EndpointListError.self) { try EndpointList.parse("tcp://a:7700,,tcp://b:7700") }
        #expect(throws: EndpointListError.self) { try EndpointList.parse("tcp://a:7700,tcp://a:7700") }
        do { _ = try EndpointList.parse("tcp://a:1,") } catch { #expect(error.description.contains("endpoint 2")) }
    }
}

private extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
