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

/// RFC 3339 UTC time stamps without Foundation's formatters.
public enum RFC3339 {
    /// Now, to the millisecond: `2024-01-10T01:30:00.123Z`.
    public static func now() -> String { format(epochSeconds: Date().timeIntervalSince1970) }

    /// `seconds` since 1970 as RFC 3339 UTC with milliseconds.
    public static func format(epochSeconds seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded(.down))
        let days = Int((Double(millis) / 86_400_000).rounded(.down))
        let ms = millis - days * 86_400_000
        let date = CalendarDate(daysSinceEpoch: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let frac = ms % 1000
        let fracText = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return "\(date)T\(two(ms / 3_600_000)):\(two(ms / 60_000 % 60)):\(two(ms / 1000 % 60)).\(fracText)Z"
    }
}
