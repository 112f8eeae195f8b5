import Foundation
import KarezCollector
import KarezMetrics
import KarezProtocol
import Testing

/// A snapshot of a process with one counter and one latency histogram.
func snapshot(_ role: String = "worker", _ name: String = "w1", incarnation: String = "i1", seq: Int, done: Double,
              latencies: [Double] = [], queue: Double = 0) -> MetricsSnapshot {
    var m = MetricSet()
    m.add("items_done_total", ["kind": "patient"], done)
    m.set("queue_items", [:], queue)
    for l in latencies { m.observe(MetricKey("stage_seconds", ["stage": "end_to_end"]), seconds: l) }
    return m.snapshot(source: .init(role: role, name: name, incarnation: incarnation, host: "h", pid: 7), seq: seq,
                      time: "2024-01-10T01:30:00Z", uptimeSeconds: Double(seq))
}

@Suite("Aggregator: cumulative snapshots across restarts")
struct AggregatorTests {
    @Test func latestSnapshotCountsAndLateOnesAreIgnored() {
        var a = Aggregator()
        a.ingest(snapshot(seq: 0, done: 5), now: 0)
        a.ingest(snapshot(seq: 3, done: 12), now: 1)
        a.ingest(snapshot(seq: 2, done: 9), now: 2)        // late: already counted in seq 3
        #expect(a.totals.counter("items_done_total") == 12)
        #expect(a.lost == 2)                                // seq 1 and 2 never arrived in order
    }

    @Test func aRestartedProcessKeepsWhatItsOldIncarnationCounted() {
        var a = Aggregator()
        a.ingest(snapshot(seq: 0, done: 100, latencies: [0.001, 0.002]), now: 0)
        a.ingest(snapshot(incarnation: "i2", seq: 0, done: 7, latencies: [0.5]), now: 1)
        #expect(a.totals.counter("items_done_total") == 107)
        #expect(a.totals.histogram("stage_seconds").count == 3)
        a.ingest(snapshot("broker", "b", seq: 0, done: 3), now: 1)
        #expect(a.totals.counter("items_done_total", ["kind": "patient"]) == 110)
    }

    @Test func gaugesCountLiveProcessesOnly() {
        var a = Aggregator()
        a.ingest(snapshot("broker", "b1", seq: 0, done: 0, queue: 40), now: 0)
        a.ingest(snapshot("broker", "b2", seq: 0, done: 0, queue: 2), now: 9)
        #expect(a.gauge("queue_items", now: 10) == 2)
    }

    @Test func seriesGivesRatesAndWindowedPercentiles() {
        var a = Aggregator()
        a.ingest(snapshot("broker", "b", seq: 0, done: 0), now: 0)
        a.sample(now: 0)
        a.ingest(snapshot("broker", "b", seq: 1, done: 200, latencies: Array(repeating: 0.004, count: 99) + [0.4]), now: 2)
        a.sample(now: 2)
        let p = try! #require(a.series.last)
        #expect(p.donePerSecond == 100)
        #expect(p.p50 > 0.002 && p.p50 <= 0.005)
        #expect(p.p99 <= 0.005)
    }

    @Test func totalsSurviveSaveAndLoad() throws {
        var a = Aggregator()
        a.ingest(snapshot(seq: 0, done: 100, latencies: [0.01]), now: 0)
        a.ingest(snapshot(incarnation: "i2", seq: 4, done: 7), now: 1)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("collector-state-\(UUID()).json")
        defer { try? FileManager.default.removeItem(at: url) }
        try CollectorState.save(a, to: url)
        var b = Aggregator()
        try CollectorState.load(from: url, into: &b)
        #expect(b.totals == a.totals)
        // The same incarnation goes on where it was; nothing is counted twice.
        b.ingest(snapshot(incarnation: "i2", seq: 5, done: 9), now: 2)
        #expect(b.totals.counter("items_done_total") == 109)
        try "not json".write(to: url, atomically: true, encoding: .utf8)
        #expect(throws: CollectorError.self) { try CollectorState.load(from: url, into: &b) }
    }

    @Test func bucketQuantilesInterpolateWithinTheirBucket() {
        var h = LatencyHistogram()
        for _ in 0..<100 { h.record(seconds: 0.0015) }
        let b = BucketHistogram(MetricsSnapshot.Histogram(name: "x", count: h.count, sum: h.sum, buckets: h.cumulativeBuckets))
        #expect(b.quantile(0.5) > 0.001 && b.quantile(0.5) <= 0.002)
        #expect(BucketHistogram().quantile(0.99) == 0)
    }

    @Test func cumulativeBucketsCountEveryValueAtOrBelowEachBound() {
        var h = LatencyHistogram()
        var values: [UInt64] = []
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            // Spread over 1 µs … 100 s, away from bucket edges by more than HdrHistogram's 1%.
            let v = UInt64(pow(10, Double.random(in: 0...8, using: &g)))
            guard LatencyHistogram.bounds.allSatisfy({ abs(Double(v) - $0 * 1e6) > $0 * 1e6 * 0.02 }) else { continue }
            values.append(v)
            h.record(micros: v)
        }
        let buckets = h.cumulativeBuckets
        #expect(buckets.map(\.upperBound) == LatencyHistogram.bounds)
        for (bound, count) in buckets {
            #expect(count == values.filter { Double($0) <= bound * 1e6 }.count, "bound \(bound)")
        }
        #expect(LatencyHistogram().cumulativeBuckets.allSatisfy { $0.count == 0 })
    }
}
