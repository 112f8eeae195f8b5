import Synchronization

/// A ``MetricSet`` several threads update: each update takes a lock, so callers batch their
/// updates (one call per batch of jobs, not per item).
public final class SharedMetrics: Sendable {
    private let mutex = Mutex(MetricSet())

    public init() {}

    /// Applies `body` to the set under the lock.
    public func update(_ body: (inout MetricSet) -> Void) { mutex.withLock { body(&$0) } }

    /// A copy of the set.
    public var current: MetricSet { mutex.withLock { $0 } }
}
