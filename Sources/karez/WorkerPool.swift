import KarezWorker
import ServiceLifecycle
import Synchronization

/// The workers of `karez up` as one `Service`: they are made once the broker listens (its back
/// endpoint may be a wildcard port, known only then) and drain on graceful shutdown.
final class WorkerPool: Service, Sendable {
    private let backEndpoint: @Sendable () async throws -> String
    private let make: @Sendable (_ back: String) -> [Worker]
    private let started = Mutex<[Worker]>([])

    /// - Parameters:
    ///   - backEndpoint: waits for the endpoint the workers connect to.
    ///   - make: the workers, connecting to that endpoint.
    init(backEndpoint: @escaping @Sendable () async throws -> String, make: @escaping @Sendable (_ back: String) -> [Worker]) {
        (self.backEndpoint, self.make) = (backEndpoint, make)
    }

    /// Items stored and rejected by the workers started.
    var totals: (stored: Int, rejected: Int) {
        let stats = started.withLock { $0 }.map(\.stats)
        return (stats.map(\.stored).reduce(0, +), stats.map(\.rejected).reduce(0, +))
    }

    func run() async throws {
        let back: String
        do { back = try await backEndpoint() } catch {
            if Task.isShuttingDownGracefully { return }  // stopped before the broker listened
            throw error
        }
        let workers = make(back)
        started.withLock { $0 = workers }
        // Each worker's run() hears the group's graceful shutdown (task-local, inherited here).
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in workers { group.addTask { try await w.run() } }
            try await group.waitForAll()
        }
    }
}
