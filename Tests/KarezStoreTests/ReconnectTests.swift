import Foundation
import KarezTestSupport
import Testing
@testable import KarezStore

@Suite("PostgreSQL restarts")
struct ReconnectTests {
    /// The pool reconnects after the server restarts: a write during the restart fails with a
    /// clear error (the worker retries it) and writes succeed again once the server is back.
    @Test(.enabled(if: postgresURL != nil || Backend.isCI, "needs the PostgreSQL that make test provides (required with CI=true)"))
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
