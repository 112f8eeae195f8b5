import Foundation
import KarezProtocol
import KarezTestSupport
import KarezWire
import Testing
import ZeroMQ

/// A snapshot of one counter, sent as `role/name`.
func snapshot(_ name: String, role: String = "worker", seq: Int = 0, counters: [(String, Double)] = [], gauges: [(String, Double)] = []) -> [[UInt8]] {
    let s = MetricsSnapshot(source: .init(role: role, name: name, incarnation: "inc-\(name)", host: "test-host", pid: 1), seq: seq,
                            time: "2026-12-06T00:00:00Z", uptimeSeconds: 1,
                            counters: counters.map { .init(name: $0.0, value: $0.1) }, gauges: gauges.map { .init(name: $0.0, value: $0.1) },
                            histograms: [])
    return CollectorMessage.metrics(s).frames
}

/// A PUSH socket to the collector's intake, with keys or plain.
func pusher(_ context: Context, _ intake: String, keys: CurveClientKeys?) throws -> Socket {
    let socket = try Socket(context, .push)
    try keys?.apply(to: socket)
    try socket.set(.linger(.seconds(2)))
    try socket.connect(intake)
    return socket
}

@Suite("Collector intake: who may send, and how much", .serialized)
struct CollectorSecurityTests {
    /// With CURVE, snapshots come only from allowed keys, and a source belongs to the key that
    /// first sent it: another allowed key cannot write under its name (the 10^12 of the security
    /// review), and a stranger's connection is refused and counted.
    @Test func withCurveSnapshotsAreBoundToTheirKeys() async throws {
        let keys = try await TestKeys(["collector", "alice", "bob", "stranger"], folders: ["senders": ["alice", "bob"]])
        let intake = "tcp://127.0.0.1:\(freePort())"
        let collector = try Child(["collector", "--intake", intake, "--http-port", "0", "--store", "none",
                                   "--data", keys.dir.appendingPathComponent("data").path,
                                   "--curve-key", keys.path("collector.key"), "--senders", keys.folder("senders")])
        let said = try await collector.waitFor("dashboard http")
        let base = try #require(endpoint(after: "dashboard ", in: said))
        let context = try Context()
        let alice = try pusher(context, intake, keys: try keys.client("alice", server: "collector"))
        let bob = try pusher(context, intake, keys: try keys.client("bob", server: "collector"))
        let stranger = try pusher(context, intake, keys: try keys.client("stranger", server: "collector"))
        defer { alice.close(); bob.close(); stranger.close() }
        try alice.send(parts: snapshot("w1", counters: [("jobs_stored_total", 5)]))
        #expect(try await eventually(timeout: .seconds(30)) { try await scrape(base).sum("karez_jobs_stored_total") == 5 })
        try bob.send(parts: snapshot("w1", seq: 1, counters: [("jobs_stored_total", 1e12)]))
        #expect(try await eventually(timeout: .seconds(30)) { try await scrapedValue(base, "karez_collector_snapshots_invalid_total") == 1 })
        _ = try stranger.send(parts: snapshot("w2", counters: [("jobs_stored_total", 1e12)]), wait: false)
        let log = try await collector.waitFor("endpoint=intake key=\(try keys.client("stranger", server: "collector").keyPair.publicKey.fingerprint)")
        #expect(log.contains("refused a connection"))
        #expect(try await eventually(timeout: .seconds(30)) {
            try await scrape(base).sum("karez_auth_refused_total", ["endpoint": "intake"]) >= 1
        })
        let samples = try await scrape(base)
        #expect(samples.sum("karez_jobs_stored_total") == 5, "only alice's figure counts")
        #expect(try await collector.terminate() == 0)
    }

    /// Without CURVE anyone may send, but only so much: a metric sent with a second type is
    /// refused and `/metrics` still parses with prometheus_client; sources beyond
    /// `--max-sources` are refused and the state file stays small.
    @Test func withoutCurveTheIntakeIsBounded() async throws {
        let dir = ScratchFolder.make("intake")
        let intake = "tcp://127.0.0.1:\(freePort())"
        let collector = try Child(["collector", "--intake", intake, "--http-port", "0", "--store", "none", "--data", dir.path, "--max-sources", "50"])
        let said = try await collector.waitFor("dashboard http")
        let base = try #require(endpoint(after: "dashboard ", in: said))
        let context = try Context()
        let socket = try pusher(context, intake, keys: nil)
        defer { socket.close() }
        try socket.send(parts: snapshot("real", counters: [("jobs_stored_total", 7)], gauges: [("queue_items", 3)]))
        // The clash of the review: a gauge under a counter's name (and a counter under the
        // collector's own gauge), from another source.
        try socket.send(parts: snapshot("forger", gauges: [("jobs_stored_total", 1e12)]))
        try socket.send(parts: snapshot("forger2", counters: [("process_up", 1)]))
        for i in 0..<200 { try socket.send(parts: snapshot("flood-\(i)", counters: [("flood_total", 1)])) }
        #expect(try await eventually(timeout: .seconds(30)) {
            try await scrapedValue(base, "karez_collector_snapshots_invalid_total") == 2 + 151
        })
        let samples = try await scrape(base)  // prometheus_client parses it: one type per name
        #expect(samples.sum("karez_jobs_stored_total") == 7)
        #expect(samples.sum("karez_flood_total") == 49, "50 sources: the real one and 49 of the flood")
        let types = Dictionary(grouping: samples, by: \.family).mapValues { Set($0.map(\.type)) }
        #expect(types.values.allSatisfy { $0.count == 1 }, "\(types.filter { $0.value.count > 1 })")
        #expect(try await collector.terminate() == 0)
        let state = try Data(contentsOf: dir.appendingPathComponent("collector-state.json"))
        #expect(state.count < 200_000, "state file of \(state.count) bytes")
    }
}
