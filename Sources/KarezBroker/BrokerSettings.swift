/// The broker's limits and timings (flags of `karez broker`).
public struct BrokerSettings: Sendable {
    public var name = "karez-broker"
    public var kinds: Set<String> = ["news", "patient", "lead"]
    public var fsync: FsyncPolicy = .batch
    public var maxItemBytes = 1 << 20
    public var maxQueuedItems = 1_000_000
    public var maxQueuedBytes = 1 << 30
    public var dedupWindowMillis: UInt64 = 10 * 60 * 1000
    /// Most ids the dedup window holds (about 120 bytes each); beyond it the oldest are
    /// forgotten before their time, so memory stays bounded at any publish rate.
    public var dedupMaxIDs = 10_000_000
    public var leaseMillis: UInt64 = 30_000
    public var heartbeatMillis: UInt64 = 1000
    /// A worker silent this many heartbeats is considered gone.
    public var heartbeatLiveness: UInt64 = 3
    public var maxAttempts = 5
    public var retryBaseMillis: UInt64 = 500
    public var retryCapMillis: UInt64 = 60_000
    /// Most jobs in one JOB message.
    public var maxJobsPerMessage = 256
    /// The collector's metrics intake (`tcp://HOST:7702`); nil sends no metrics.
    public var collector: String?
    public init() {}
}
