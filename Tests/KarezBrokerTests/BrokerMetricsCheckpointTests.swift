import Foundation
import KarezMetrics
import KarezProtocol
import KarezTestSupport
import Testing
@testable import KarezBroker

/// `broker-metrics.json` carries a broker's counters and histograms over a restart; what no
/// broker writes (a file edited or damaged by hand) is left out, never sent on.
@Suite struct BrokerMetricsCheckpointTests {
    /// A snapshot with one counter and one histogram, as a broker sends them.
    static func snapshot() -> MetricsSnapshot {
        var m = MetricSet()
        m.add("items_redelivered_total", ["kind": "news"], 3)
        m.add("items_accepted_total", ["kind": "news"], 40)  // journalled: not carried from here
        m.observe(MetricKey("journal_sync_seconds", [:]), micros: 400, count: 7)
        m.observe(MetricKey("stage_seconds", ["kind": "news", "stage": "queued"]), micros: 2_000, count: 5)
        return m.snapshot(source: .init(role: "broker", name: "b", incarnation: "i", host: "h", pid: 1), seq: 9, time: "2024-01-10T01:30:00Z", uptimeSeconds: 1)
    }

    @Test func aSavedCheckpointComesBackWhole() throws {
        let url = ScratchFolder.make("checkpoint-whole").appendingPathComponent("broker-metrics.json")
        try BrokerMetricsCheckpoint(snapshot: Self.snapshot()).save(url, sync: false)
        let loaded = try #require(try BrokerMetricsCheckpoint.load(url))
        let (carried, dropped) = loaded.carried()
        #expect(dropped == 0)
        #expect(loaded.seq == 9 && loaded.incarnation == "i")
        #expect(carried.counters[MetricKey("items_redelivered_total", ["kind": "news"])] == 3)
        #expect(carried.counters[MetricKey("items_accepted_total", ["kind": "news"])] == nil, "the journal has the exact count")
        let syncs = try #require(carried.histograms[MetricKey("journal_sync_seconds", [:])])
        #expect(syncs.count == 7 && abs(syncs.sum - 0.0028) < 1e-12)
        #expect(carried.histograms[MetricKey("stage_seconds", ["kind": "news", "stage": "queued"])]?.count == 5)
    }

    @Test func entriesNoBrokerWritesAreLeftOut() throws {
        var c = BrokerMetricsCheckpoint(snapshot: Self.snapshot())
        let n = LatencyHistogram.bounds.count
        let zeros = Array(repeating: 0, count: n)
        c.histograms! += [
            .init(name: "journal_sync_seconds", labels: ["le": "1"], count: 1, sum: 0.1, cumulative: zeros),  // reserved label
            .init(name: "other_seconds", labels: [:], count: 1, sum: 0.1, cumulative: zeros),  // not a broker's
            .init(name: "stage_seconds", labels: ["stage": String(repeating: "x", count: 200)], count: 1, sum: 0.1, cumulative: zeros),
            .init(name: "journal_sync_seconds", labels: [:], count: 9_223_372_036_854_775_000, sum: 0.1, cumulative: zeros),
            .init(name: "journal_sync_seconds", labels: [:], count: 1, sum: .greatestFiniteMagnitude * 2, cumulative: zeros),
        ]
        c.counters += [.init(name: "Bad-Name_total", labels: [:], value: 1), .init(name: "x_total", labels: [:], value: -1),
                       .init(name: "y_total", labels: ["__reserved": "v"], value: 1), .init(name: "z_total", labels: [:], value: 1e300)]
        let (carried, dropped) = c.carried()
        #expect(dropped == 9)
        #expect(carried.histograms.count == 2 && carried.counters.count == 1)
        #expect(carried.histograms[MetricKey("journal_sync_seconds", [:])]?.count == 7, "the broker's own entry is carried")

        var rebounded = BrokerMetricsCheckpoint(snapshot: Self.snapshot())
        rebounded.bounds = [1, 2, 3]
        let (other, droppedForBounds) = rebounded.carried()
        #expect(other.histograms.isEmpty && droppedForBounds == 2, "histograms counted at other bounds are not read as these")
    }
}
