import KarezWorker
import ServiceLifecycle
import Synchronization

/// Workers as one `Service`: they run side by side and drain together on graceful shutdown.
/// `karez up`'s are made once the broker listens (its back endpoint may be a wildcard port,
/// known only then); `karez worker`'s, one per broker, at once.
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

    /// Workers that need nothing to be known first.
    convenience init(_ workers: [Worker]) {
        self.init(backEndpoint: { "" }, make: { _ in workers })
    }

    /// What the workers started did, added up.
    var totals: WorkerStats { started.withLock { $0 }.map(\.stats).reduce(WorkerStats(), +) }

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
            // The first worker that fails (a bad endpoint, say) ends them all, at once.
            for try await _ in group {}
        }
    }
}
