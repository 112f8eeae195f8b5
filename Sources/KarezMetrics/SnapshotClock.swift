import Foundation
import KarezProtocol

/// Numbers the snapshots of one process incarnation and stamps them with time and uptime.
public struct SnapshotClock: Sendable {
    public let source: MetricsSnapshot.Source
    private let started = ContinuousClock.now
    private var seq = 0

    /// - Parameters:
    ///   - role: `broker`, `worker` or `bench`.
    ///   - name: the process's name as operators know it.
    ///   - firstSeq: the first snapshot's `seq` (a broker continues its data folder's sequence).
    public init(role: String, name: String, incarnation: String = UUID().uuidString.lowercased(), firstSeq: Int = 0) {
        source = MetricsSnapshot.Source(role: role, name: name, incarnation: incarnation,
                                        host: ProcessInfo.processInfo.hostName, pid: Int(getpid()))
        seq = firstSeq
    }

    /// The `seq` of the next snapshot.
    public var nextSeq: Int { seq }

    /// The next snapshot of `metrics`.
    public mutating func snapshot(of metrics: MetricSet) -> MetricsSnapshot {
        defer { seq += 1 }
        let (s, a) = (ContinuousClock.now - started).components
        return metrics.snapshot(source: source, seq: seq, time: RFC3339.now(), uptimeSeconds: Double(s) + Double(a) / 1e18)
    }
}
