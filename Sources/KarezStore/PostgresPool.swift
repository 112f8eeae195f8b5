import Logging
import PostgresNIO
import Synchronization

/// postgres-nio's connection pool, replaceable: after the server restarts or a link drops, a pool
/// can be left waiting on connections that will never answer. A call that misses its deadline
/// replaces the pool with a new one (the old one is shut down, failing what still waits on it),
/// so the worker's next attempt goes over fresh connections.
final class PostgresPool: Sendable {
    private struct Current {
        var client: PostgresClient
        var runner: Task<Void, Never>
        var closed = false
    }
    private let configuration: PostgresClient.Configuration
    private let current: Mutex<Current>
    private let logger: Logger

    init(configuration: PostgresClient.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        let client = PostgresClient(configuration: configuration)
        current = Mutex(Current(client: client, runner: Task { await client.run() }))
    }

    /// The pool to use now.
    var client: PostgresClient { current.withLock { $0.client } }

    /// Replaces `stale` with a new pool, unless that was done already.
    func replace(_ stale: PostgresClient) {
        let old = current.withLock { c -> Task<Void, Never>? in
            guard c.client === stale, !c.closed else { return nil }
            let fresh = PostgresClient(configuration: configuration)
            let previous = c.runner
            c = Current(client: fresh, runner: Task { await fresh.run() })
            return previous
        }
        guard let old else { return }
        logger.warning("a PostgreSQL call got no answer in time: the connection pool is replaced")
        old.cancel()
    }

    /// Shuts the pool down.
    func close() {
        current.withLock {
            $0.closed = true
            $0.runner.cancel()
        }
    }
}
