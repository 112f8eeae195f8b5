import Foundation
import Testing
@testable import KarezStore

/// Runs `scripts/test-postgres.sh` for a private server (its own folder and port) with
/// `system(3)`: the server it starts outlives the script, which Foundation's `Process` does not
/// always notice on Linux.
func postgresControl(_ command: String, port: Int, dir: String) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/test-postgres.sh")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("karez-pgctl-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let status = system("KAREZ_PG_PORT=\(port) KAREZ_PG_DIR='\(dir)' '\(script.path)' \(command) > '\(out.path)' 2>/dev/null")
    guard status == 0 else { throw StoreError("test-postgres.sh \(command) failed with status \(status)") }
    return (try? String(contentsOf: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
}

@Suite("PostgreSQL restarts")
struct ReconnectTests {
    /// The pool reconnects after the server restarts: a write during the restart fails with a
    /// clear error (the worker retries it) and writes succeed again once the server is back.
    @Test(.enabled(if: postgresURL != nil, "needs the PostgreSQL that make test provides"))
    func writesResumeAfterTheServerRestarts() async throws {
        let dir = "/tmp/karez-restart-pg-\(getpid())"
        let url = try postgresControl("start", port: 55499, dir: dir)
        defer { _ = try? postgresControl("stop", port: 55499, dir: dir) }
        let store = try await openStore(url)
        #expect(try await store.write([patientItem("before")]).inserted == 1)
        _ = try postgresControl("restart", port: 55499, dir: dir)
        var attempts = 0
        var outcome: WriteOutcome?
        while outcome == nil && attempts < 50 {
            attempts += 1
            do { outcome = try await store.write([patientItem("after")]) } catch let error as StoreError {
                #expect(error.message.contains("nothing of the batch was stored"))
                try await Task.sleep(for: .milliseconds(200))
            }
        }
        #expect(outcome?.inserted == 1)
        #expect(try await store.count(kind: "patient", rejected: false) == 2)
        print("reconnected after a server restart in \(attempts) write attempt(s)")
        await store.close()
    }
}
