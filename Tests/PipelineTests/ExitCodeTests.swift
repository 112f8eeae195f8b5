import Foundation
import KarezBroker
import KarezStore
import KarezTestSupport
import Testing
import ZeroMQ

@Suite("Errors: typed, one line, and a usage error is told from a runtime failure by its exit status")
struct ExitCodeTests {
    /// A wrong flag is a usage error: exit 64 (EX_USAGE) with the usage text. A failure at run
    /// time (a port in use, an item not found, a store that cannot be opened) is exit 1 and one
    /// line, without the usage text.
    @Test func usageErrorsAndRuntimeFailuresHaveDistinctExitStatuses() async throws {
        let dir = ScratchFolder.make("exit-codes")
        let (usage, usageOut) = try await karez(["broker", "--fsync", "sometimes", "--data", dir.path], timeout: .seconds(30))
        #expect(usage == 64 && usageOut.contains("--fsync must be always, batch or never") && usageOut.contains("Usage:"), "\(usageOut)")
        let (stall, stallOut) = try await karez(["broker", "--stall-ms", "0", "--data", dir.path], timeout: .seconds(30))
        #expect(stall == 64 && stallOut.contains("--stall-ms must be positive"), "\(stallOut)")

        let store = "sqlite:\(dir.path)/karez.sqlite"
        let (missing, missingOut) = try await karez(["query", "--store", store, "--kind", "patient", "--id", "nobody"], timeout: .seconds(30))
        #expect(missing == 1 && missingOut.contains("no patient item with id nobody") && !missingOut.contains("Usage:"), "\(missingOut)")
        #expect(missingOut.split(separator: "\n").count == 1, "one line: \(missingOut)")

        let (badStore, badStoreOut) = try await karez(["query", "--store", "mysql://x", "--kind", "patient", "--count"], timeout: .seconds(30))
        #expect(badStore == 1 && badStoreOut.contains("is not understood") && !badStoreOut.contains("Usage:"), "\(badStoreOut)")

        // Two brokers on one port: the second says why in one line and exits 1.
        let port = freePort()
        let first = try Child(["broker", "--front", "tcp://127.0.0.1:\(port)", "--back", "tcp://127.0.0.1:\(freePort())",
                               "--data", dir.appendingPathComponent("first").path, "--collector", "none"])
        _ = try await first.waitFor("karez broker: front")
        let (second, secondOut) = try await karez(["broker", "--front", "tcp://127.0.0.1:\(port)", "--back", "tcp://127.0.0.1:\(freePort())",
                                                   "--data", dir.appendingPathComponent("second").path, "--collector", "none"], timeout: .seconds(30))
        #expect(second == 1 && secondOut.contains("cannot bind the front endpoint") && !secondOut.contains("Usage:"), "\(secondOut)")
        #expect(secondOut.split(separator: "\n").filter { $0.contains("error") }.count == 1, "\(secondOut)")
        #expect(try await first.terminate() == 0)
    }

    /// The errors say what kind of failure they are, so callers can act on it.
    @Test func errorsCarryTheirReason() async throws {
        #expect(throws: StoreError.self) { try StoreURL("mysql://x") }
        do { _ = try StoreURL("mysql://x") } catch let e as StoreError { #expect(e.reason == .configuration) }

        let dir = ScratchFolder.make("typed-errors")
        let context = try Context()
        let holder = try Socket(context, .router)
        try holder.bind("tcp://127.0.0.1:*")
        let taken = try holder.lastEndpoint()
        let broker = BrokerService(front: taken, back: "tcp://127.0.0.1:*", dataDirectory: dir, settings: BrokerSettings(), context: context)
        do {
            try await broker.run()
            Issue.record("a broker on a port in use ran")
        } catch let e as BrokerError {
            #expect(e.reason == .endpoint && e.description.contains("cannot bind the front endpoint"), "\(e)")
        }
        await #expect(throws: BrokerError.self) { _ = try await broker.listeningEndpoints() }
        holder.close()
    }
}
