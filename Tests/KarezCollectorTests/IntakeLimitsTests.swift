import KarezCollector
import KarezProtocol
import Testing

/// A snapshot of one process with the given series.
private func snap(_ name: String = "w1", role: String = "worker", seq: Int = 0,
                  counters: [MetricsSnapshot.Sample] = [], gauges: [MetricsSnapshot.Sample] = [],
                  histograms: [MetricsSnapshot.Histogram] = []) -> MetricsSnapshot {
    MetricsSnapshot(source: .init(role: role, name: name, incarnation: "i1", host: "h", pid: 7), seq: seq,
                    time: "2024-01-10T01:30:00Z", uptimeSeconds: Double(seq), counters: counters, gauges: gauges, histograms: histograms)
}

private func counter(_ name: String, _ labels: [String: String] = [:], _ value: Double = 1) -> MetricsSnapshot.Sample {
    .init(name: name, labels: labels, value: value)
}

private func histogram(_ name: String) -> MetricsSnapshot.Histogram {
    .init(name: name, count: 1, sum: 0.5, buckets: [(1, 1)])
}

/// Ingests `s`, expecting a refusal that counts as invalid and leaves `received` as it was.
private func expectRefused(_ a: inout Aggregator, _ s: MetricsSnapshot, sender: String? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) {
    let (received, invalid) = (a.received, a.invalid)
    let refusal = a.ingest(s, sender: sender, now: 1)
    #expect(refusal != nil, "accepted", sourceLocation: sourceLocation)
    #expect(a.invalid == invalid + 1, sourceLocation: sourceLocation)
    #expect(a.received == received, sourceLocation: sourceLocation)
}

private func expectAccepted(_ a: inout Aggregator, _ s: MetricsSnapshot, sender: String? = nil,
                            sourceLocation: SourceLocation = #_sourceLocation) {
    let (received, invalid) = (a.received, a.invalid)
    let refusal = a.ingest(s, sender: sender, now: 1)
    #expect(refusal == nil, sourceLocation: sourceLocation)
    #expect(a.received == received + 1, sourceLocation: sourceLocation)
    #expect(a.invalid == invalid, sourceLocation: sourceLocation)
}

/// `# TYPE` lines per metric name in a Prometheus exposition.
private func typeLines(_ text: String) -> [String: Int] {
    var out: [String: Int] = [:]
    for line in text.split(separator: "\n") where line.hasPrefix("# TYPE ") {
        out[String(line.split(separator: " ")[2]), default: 0] += 1
    }
    return out
}

@Suite("Aggregator: intake limits and metric types")
struct IntakeLimitsTests {
    @Test func theSourceLimitRefusesNewSourcesOnly() {
        var a = Aggregator()
        #expect(a.limits.maxSources == 1000)
        for i in 0..<1000 { expectAccepted(&a, snap("w\(i)", counters: [counter("jobs_done_total")])) }
        expectRefused(&a, snap("w1000", counters: [counter("jobs_done_total")]))
        #expect(a.sources.count == 1000)
        #expect(a.sources["worker/w1000"] == nil)
        // A known source still updates.
        expectAccepted(&a, snap("w7", seq: 1, counters: [counter("jobs_done_total", [:], 5)]))
        #expect(a.sources["worker/w7"]?.snapshot.seq == 1)
        #expect(a.totals.counter("jobs_done_total") == 999 + 5)
    }

    /// `maxSeries` bounds the series kept over live sources and retired figures: a process that
    /// restarts with new series each time cannot grow the retired figures past it.
    @Test func theSeriesLimitHoldsAcrossRestarts() {
        var a = Aggregator()
        a.limits.maxSeries = 2000
        for restart in 0..<10 {
            let series = (0..<500).map { counter("jobs_total", ["n": "\(restart)-\($0)"]) }
            a.ingest(MetricsSnapshot(source: .init(role: "worker", name: "w1", incarnation: "i\(restart)", host: "h", pid: 7), seq: 0,
                                     time: "2024-01-10T01:30:00Z", uptimeSeconds: 1, counters: series, gauges: [], histograms: []), now: 1)
        }
        #expect(a.totals.counters.count <= 2000, "\(a.totals.counters.count) series kept, \(a.invalid) snapshots refused")
    }

    @Test func tooManySeriesInOneSnapshotIsRefused() {
        var a = Aggregator()
        a.limits.maxSeriesPerSnapshot = 10
        expectAccepted(&a, snap("ok", counters: (0..<5).map { counter("c\($0)_total") }, gauges: (0..<5).map { counter("g\($0)") }))
        expectRefused(&a, snap("big", counters: (0..<6).map { counter("c\($0)_total") }, gauges: (0..<5).map { counter("g\($0)") }))
        var b = Aggregator()
        expectRefused(&b, snap(counters: (0...b.limits.maxSeriesPerSnapshot).map { counter("c_total", ["i": "\($0)"]) }))
    }

    @Test func labelsBeyondTheLimitsAreRefused() {
        var a = Aggregator()
        let maxBytes = a.limits.maxLabelBytes
        expectAccepted(&a, snap("w1", counters: [counter("c_total", ["k": String(repeating: "v", count: maxBytes)])]))
        expectRefused(&a, snap("w2", counters: [counter("c_total", ["k": String(repeating: "v", count: maxBytes + 1)])]))
        expectRefused(&a, snap("w3", gauges: [counter("g", [String(repeating: "k", count: maxBytes + 1): "v"])]))
        let many = Dictionary(uniqueKeysWithValues: (0...a.limits.maxLabels).map { ("l\($0)", "v") })
        expectRefused(&a, snap("w4", counters: [counter("c_total", many)]))
        expectRefused(&a, snap("w5", histograms: [.init(name: "h", labels: many, count: 0, sum: 0, buckets: [])]))
        expectAccepted(&a, snap("w6", counters: [counter("c_total", Dictionary(uniqueKeysWithValues: many.prefix(a.limits.maxLabels).map { ($0.key, $0.value) }))]))
    }

    @Test func aNameKeepsTheTypeItArrivedWithFirst() {
        var a = Aggregator()
        expectAccepted(&a, snap("w1", counters: [counter("jobs_total")], gauges: [counter("depth")]))
        expectRefused(&a, snap("w2", gauges: [counter("jobs_total")]))
        expectRefused(&a, snap("w2", counters: [counter("depth")]))
        expectRefused(&a, snap("w2", histograms: [histogram("jobs_total")]))
        // Within one snapshot too.
        expectRefused(&a, snap("w3", counters: [counter("fresh")], gauges: [counter("fresh")]))
        // The same process may not change a type either.
        expectRefused(&a, snap("w1", seq: 1, gauges: [counter("jobs_total")]))
        expectAccepted(&a, snap("w2", counters: [counter("jobs_total")], gauges: [counter("depth")]))
    }

    @Test func aHistogramsSeriesNamesAreTaken() {
        var a = Aggregator()
        expectAccepted(&a, snap("w1", histograms: [histogram("latency")]))
        expectRefused(&a, snap("w2", counters: [counter("latency_count")]))
        expectRefused(&a, snap("w2", gauges: [counter("latency_sum")]))
        expectRefused(&a, snap("w2", counters: [counter("latency_bucket")]))
        // And the reverse: a histogram whose series a known counter already uses.
        expectAccepted(&a, snap("w3", counters: [counter("size_count")]))
        expectRefused(&a, snap("w4", histograms: [histogram("size")]))
        // Within one snapshot.
        expectRefused(&a, snap("w5", counters: [counter("t_count")], histograms: [histogram("t")]))
        expectRefused(&a, snap("w5", counters: [counter("u_sum")], histograms: [histogram("u")]))
    }

    @Test func namesTheCollectorExposesItselfAreReservedToTheirType() {
        var a = Aggregator()
        expectRefused(&a, snap(counters: [counter("process_up")]))
        expectRefused(&a, snap(gauges: [counter("domain_x_total")]))
        expectRefused(&a, snap(gauges: [counter("collector_snapshots_received_total")]))
        expectRefused(&a, snap(histograms: [histogram("process_up")]))
        expectAccepted(&a, snap(counters: [counter("domain_x_total")]))
    }

    @Test func aSourceStaysBoundToItsFirstSender() {
        var a = Aggregator()
        expectAccepted(&a, snap(counters: [counter("jobs_total", [:], 1)]), sender: "A")
        expectRefused(&a, snap(seq: 1, counters: [counter("jobs_total", [:], 100)]), sender: "B")
        expectRefused(&a, snap(seq: 1, counters: [counter("jobs_total", [:], 100)]), sender: nil)
        #expect(a.totals.counter("jobs_total") == 1)
        #expect(a.sources["worker/w1"]?.sender == "A")
        expectAccepted(&a, snap(seq: 2, counters: [counter("jobs_total", [:], 2)]), sender: "A")
        #expect(a.totals.counter("jobs_total") == 2)
        // Sender B may report under another name.
        expectAccepted(&a, snap("w2", counters: [counter("jobs_total", [:], 3)]), sender: "B")
    }

    /// After a refused type clash the exposition still gives every name one type.
    @Test func theExpositionHasOneTypeLinePerName() {
        var a = Aggregator()
        expectAccepted(&a, snap("w1", counters: [counter("jobs_total", [:], 4)], gauges: [counter("depth", [:], 2)],
                                histograms: [histogram("latency")]))
        expectRefused(&a, snap("w2", counters: [counter("depth")], gauges: [counter("jobs_total")]))
        expectRefused(&a, snap("w3", counters: [counter("latency_count"), counter("process_up")]))
        expectRefused(&a, snap("w4", gauges: [counter("domain_x_total")]))
        let text = PrometheusText.render(a, now: 1, domainFacts: nil)
        let types = typeLines(text)
        #expect(!types.isEmpty)
        #expect(types.filter { $0.value > 1 }.isEmpty, "\(types.filter { $0.value > 1 })")
        #expect(text.contains("# TYPE karez_jobs_total counter\n"))
        #expect(text.contains("# TYPE karez_depth gauge\n"))
        #expect(text.contains("karez_collector_snapshots_invalid_total 3\n"))
    }

    /// The collector adds its own intake refusals to `auth_refused_total` (a counter, as the
    /// brokers send it): a sender may not make it a gauge first.
    @Test func theCollectorsAuthRefusedCounterKeepsOneType() {
        var a = Aggregator()
        a.ingest(snap("w1", gauges: [counter("auth_refused_total", ["endpoint": "front"], 2)]), now: 1)
        a.intakeAuthRefused = 1
        let types = typeLines(PrometheusText.render(a, now: 1, domainFacts: nil))
        #expect(types["karez_auth_refused_total"] == 1, "\(types.filter { $0.value > 1 })")
    }

    /// A process's gauges are exposed under its own role and instance: a sender cannot report
    /// figures in another process's name.
    @Test func gaugesCarryTheirSendersRoleAndInstance() {
        var a = Aggregator()
        a.ingest(snap("w1", gauges: [counter("queue_items", ["role": "broker", "instance": "b1"], 999)]), now: 1)
        let text = PrometheusText.render(a, now: 1, domainFacts: nil)
        #expect(text.contains(#"karez_queue_items{instance="w1",role="worker"} 999"#), "\(text.split(separator: "\n").filter { $0.hasPrefix("karez_queue_items") })")
        #expect(!text.contains(#"instance="b1""#))
    }
}
