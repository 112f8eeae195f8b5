import Foundation
import KarezTestSupport
import Testing
import ZeroMQ

@Suite("A broker's metrics over a kill -9, with a real collector", .serialized)
struct BrokerMetricsRestartTests {
    /// A broker's histograms are cumulative over its data folder, as its counters are: killed -9
    /// and started again, it carries them on, so the collector's totals never go back.
    @Test func histogramsCarryOnOverABrokerKill() async throws {
        let dir = ScratchFolder.make("metrics-restart")
        let intake = "tcp://127.0.0.1:\(freePort())"
        let collector = try Child(["collector", "--intake", intake, "--http-port", "0", "--store", "none",
                                   "--data", dir.appendingPathComponent("collector").path])
        let said = try await collector.waitFor("dashboard http")
        let base = try #require(endpoint(after: "dashboard ", in: said))
        let (front, back) = ("tcp://127.0.0.1:\(freePort())", "tcp://127.0.0.1:\(freePort())")
        func startBroker() async throws -> Child {
            let b = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path, "--collector", intake])
            _ = try await b.waitFor("karez broker: front")
            return b
        }
        var broker = try await startBroker()
        let context = try Context()
        let producer = try RawProducer(context, front: front)
        defer { producer.close() }
        // One item at a time, each acknowledged after its own journal sync.
        func publish(_ numbers: Range<Int>) throws {
            for i in numbers {
                try producer.publish([rawItem("carry-\(i)")])
                #expect(try producer.waitFor("carry-\(i)", "ACK") != nil)
            }
        }
        let syncs = "karez_journal_sync_seconds_count"
        try publish(0..<20)
        #expect(try await eventually(timeout: .seconds(30)) { try await scrape(base).sum(syncs) >= 20 })
        let before = try await scrape(base)

        broker.kill9()
        broker = try await startBroker()
        try publish(20..<25)
        #expect(try await eventually(timeout: .seconds(30)) { try await scrape(base).sum(syncs) >= before.sum(syncs) + 5 },
                "the restarted broker counts on from the \(before.sum(syncs)) syncs before the kill")
        let after = try await scrape(base)
        #expect(after.sum("karez_journal_sync_seconds_sum") >= before.sum("karez_journal_sync_seconds_sum"))
        for bucket in before.filter({ $0.name == "karez_journal_sync_seconds_bucket" }) {
            #expect(after.sum(bucket.name, bucket.labels) >= bucket.value, "bucket le=\(bucket.labels["le"] ?? "?") went back")
        }
        #expect(try await broker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
    }
}
