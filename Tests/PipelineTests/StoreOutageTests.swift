import Foundation
import KarezStore
import KarezTestSupport
import Testing

/// How long each outage lasts: 3 minutes, longer than every lease and than the 5 attempts'
/// worth of retries that used to dead-letter held items (`KAREZ_OUTAGE_SECONDS` to change).
private let outageSeconds = Int(ProcessInfo.processInfo.environment["KAREZ_OUTAGE_SECONDS"] ?? "") ?? 180

/// A broker (short leases, so an outage outlasts many of them), two workers on `store`, and
/// 10,000 patient visits published with `karez publish --wait`: 2,000 before the outage, 8,000
/// while it lasts (they are accepted, handed to the workers and held). `outage(started)` runs
/// the outage and calls `started` once it is in force. Afterwards: both publishers exited 0,
/// every item was stored once, no dead letter, no item above 2 attempts.
private func itemsFlowThrough(store: String, in dir: URL,
                              outage: (_ started: () async throws -> Void) async throws -> Void) async throws {
    let (before, during) = (2_000, 8_000)
    let (fport, bport) = (freePort(), freePort())
    let front = "tcp://127.0.0.1:\(fport)", back = "tcp://127.0.0.1:\(bport)"
    let first = dir.appendingPathComponent("before.jsonl"), second = dir.appendingPathComponent("during.jsonl")
    #expect(try await karez(["gen", "--kind", "patient", "--count", String(before), "--seed", "11", "--output", first.path]).0 == 0)
    #expect(try await karez(["gen", "--kind", "patient", "--count", String(during), "--seed", "12", "--output", second.path]).0 == 0)
    let brokerData = dir.appendingPathComponent("broker")
    let broker = try Child(["broker", "--front", front, "--back", back, "--data", brokerData.path, "--lease-ms", "3000", "--collector", "none"])
    _ = try await broker.waitFor("karez broker: front")
    let workers = try (0..<2).map { i in
        try Child(["worker", "--broker", back, "--store", store, "--credit", "512", "--collector", "none", "--name", "outage-\(i)"])
    }
    #expect(try await karez(["publish", "--broker", front, "--wait", first.path]).0 == 0)
    var publisher: Child?
    try await outage {
        publisher = try Child(["publish", "--broker", front, "--wait", "--timeout", String(outageSeconds + 300), second.path])
    }
    let status = try await publisher!.finish(timeout: .seconds(Int64(outageSeconds) + 600))
    #expect(status == 0, "\(publisher!.text)")
    let s = try await openStore(store)
    #expect(try await s.count(kind: "patient", rejected: false) == before + during)
    var highest = 0, after: String?
    while true {
        let page = try await s.records(kind: "patient", rejected: false, after: after, limit: 5000)
        guard let last = page.last else { break }
        highest = max(highest, page.map(\.attempt).max() ?? 0)
        after = last.id
    }
    await s.close()
    #expect(highest <= 2, "an item was stored on attempt \(highest)")
    let letters = (try? String(contentsOf: brokerData.appendingPathComponent("dead-letters.jsonl"), encoding: .utf8)) ?? ""
    #expect(letters.split(separator: "\n").isEmpty, "dead letters after a store outage:\n\(letters.prefix(2000))")
    let retried = workers.map(\.text).joined().contains("retrying until it is back")
    #expect(retried, "no worker said it was holding its jobs through the outage")
    print("store outage (\(store.hasPrefix("sqlite") ? "SQLite locked" : "PostgreSQL stopped") \(outageSeconds) s): \(before + during) items stored once, highest attempt \(highest), 0 dead letters; "
          + (publisher!.text.split(separator: "\n").first { $0.hasPrefix("published") }.map(String.init) ?? ""))
    for w in workers { _ = try await w.terminate() }
    _ = try await broker.terminate()
}

@Suite("Store outages pause workers: no dead letter, no item lost or stored twice")
struct StoreOutageTests {
    @Test func sqliteLockedForMinutesWhileItemsFlow() async throws {
        let dir = ScratchFolder.make("outage-sqlite")
        let path = dir.appendingPathComponent("karez.sqlite").path
        try await itemsFlowThrough(store: "sqlite:\(path)", in: dir) { started in
            // Another process holds the database's write lock for the whole outage.
            let lock = try Child(executable: "/usr/bin/env", arguments: ["python3", "-c", """
                import sqlite3, sys, time
                c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
                c.execute("BEGIN EXCLUSIVE"); print("locked", flush=True)
                time.sleep(float(sys.argv[2])); c.execute("COMMIT"); print("unlocked", flush=True)
                """, path, String(outageSeconds)])
            _ = try await lock.waitFor("locked", timeout: .seconds(120))
            try await started()
            #expect(try await lock.finish(timeout: .seconds(Int64(outageSeconds) + 120)) == 0, "\(lock.text)")
        }
    }

    @Test(.enabled(if: ProcessInfo.processInfo.environment["KAREZ_TEST_POSTGRES_URL"] != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "needs PostgreSQL's server binaries: make test installs them (scripts/test-postgres.sh)"))
    func postgresStoppedForMinutesWhileItemsFlow() async throws {
        let dir = ScratchFolder.make("outage-pg")
        // A port free a moment ago can be taken meanwhile by another test's outgoing connection:
        // the server then cannot listen, and the next free port is tried (at most three).
        var port = freePort()
        // The server's folder must be reachable by the postgres user: not inside the scratch folder.
        func pg(_ command: String) async throws { _ = try postgresControl(command, port: port, dir: "/tmp/karez-outage-pg-\(port)") }
        for attempt in 1...3 {
            do { try await pg("start"); break } catch {
                _ = try? postgresControl("stop", port: port, dir: "/tmp/karez-outage-pg-\(port)")
                if attempt == 3 { throw error }
                port = freePort()
            }
        }
        let store = "postgres://karez@127.0.0.1:\(port)/karez_test?sslmode=disable"
        try await itemsFlowThrough(store: store, in: dir) { started in
            try await pg("down")
            try await started()
            try await Task.sleep(for: .seconds(outageSeconds))  // the outage itself, not a wait for an event
            try await pg("up")
        }
        try await pg("stop")
    }
}
