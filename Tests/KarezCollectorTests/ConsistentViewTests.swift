import Foundation
import KarezDomain
import KarezMetrics
import KarezProtocol
import KarezStore
import KarezTestSupport
import Synchronization
import Testing
import ZeroMQ
@testable import KarezCollector

/// A store whose `totals()` reads its facts when called (as a read transaction would) and then
/// waits at a gate the test opens, so a commit and its report can land mid-read.
final class GatedStore: Store, Sendable {
    let displayURL = "gated:"
    let facts = Mutex<[DomainFact]>([])
    private let gate = Mutex<(holding: Bool, waiting: CheckedContinuation<Void, Never>?)>((true, nil))

    var isWaiting: Bool { gate.withLock { $0.waiting != nil } }
    func open() {
        let waiting = gate.withLock { g in
            g.holding = false
            defer { g.waiting = nil }
            return g.waiting
        }
        waiting?.resume()
    }

    func totals() async throws -> [DomainFact] {
        let read = facts.withLock { $0 }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = gate.withLock { g -> Bool in
                if !g.holding { return true }
                g.waiting = c
                return false
            }
            if now { c.resume() }
        }
        return read
    }

    func migrate() async throws {}
    func write(_ batch: [StoredItem]) async throws -> WriteOutcome { WriteOutcome() }
    func writeRejected(_ batch: [RejectedItem]) async throws -> WriteOutcome { WriteOutcome() }
    func record(kind: String, id: String, rejected: Bool) async throws -> StoredRecord? { nil }
    func count(kind: String?, rejected: Bool) async throws -> Int { 0 }
    func records(kind: String, rejected: Bool, after: String?, limit: Int) async throws -> [StoredRecord] { [] }
    func close() async {}
}

/// A worker's snapshot saying it stored `stored` items.
private func stored(_ stored: Double, seq: Int) -> MetricsSnapshot {
    var m = MetricSet()
    m.add("jobs_stored_total", ["kind": "patient"], stored)
    return m.snapshot(source: .init(role: "worker", name: "w1", incarnation: "i1", host: "h", pid: 7), seq: seq,
                      time: "2024-01-10T01:30:00Z", uptimeSeconds: Double(seq))
}

/// The value of the sample `name` in a Prometheus text (0 when absent).
private func sample(_ name: String, in text: String) -> Double {
    text.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
        .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
}

@Suite("Collector: a response's domain figures never lag the counters beside it")
struct ConsistentViewTests {
    /// An item is committed and reported while the store's totals are being read: the response
    /// shows the counters from before the read beside the totals read, never the newer counters
    /// beside older totals (the race the reference test's re-scrape used to hide).
    @Test func aCommitDuringTheReadDoesNotShowNewCountersBesideOldFigures() async throws {
        let store = GatedStore()
        store.facts.withLock { $0 = [DomainFact("patient_visits", ["kind": "outpatient"], 1)] }
        var settings = CollectorSettings()
        settings.intake = "tcp://127.0.0.1:*"
        let collector = try Collector(settings: settings, store: store, context: try Context())
        collector.state.update { _ = $0.ingest(stored(1, seq: 0), now: 0) }

        let scrape = Task { await collector.prometheus() }
        #expect(try await eventually(timeout: .seconds(30)) { store.isWaiting })
        // The second visit is committed and then reported, while the first read is held.
        store.facts.withLock { $0 = [DomainFact("patient_visits", ["kind": "outpatient"], 2)] }
        collector.state.update { _ = $0.ingest(stored(2, seq: 1), now: 1) }
        store.open()
        let text = await scrape.value
        let visits = sample("karez_domain_patient_visits_total", in: text)
        let counted = sample("karez_jobs_stored_total", in: text)
        #expect(counted == 1 && visits == 1, "stored \(counted) beside \(visits) visits:\n\(text)")
        // The next response sees both.
        let next = await collector.prometheus()
        #expect(sample("karez_jobs_stored_total", in: next) == 2 && sample("karez_domain_patient_visits_total", in: next) == 2)
    }
}
