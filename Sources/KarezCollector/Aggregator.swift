import KarezMetrics
import KarezProtocol

/// Adds up the metrics snapshots of every broker, worker and bench, across their restarts and
/// the collector's own. Pure: the caller passes the time; no sockets, no files.
///
/// Snapshots are cumulative per incarnation, so the latest one of each process is all that
/// counts; when a process restarts (a new incarnation under the same role and name), the last
/// figures of the old one move to ``retired`` and the new one starts from zero.
public struct Aggregator: Sendable {
    /// The latest snapshot of one process and when it arrived.
    public struct Source: Sendable {
        public var snapshot: MetricsSnapshot
        public var totals: MetricTotals
        public var receivedAt: Double
        public var lostSnapshots = 0
    }

    /// One point of the live series (one per ``sample(now:)``).
    public struct Point: Sendable, Equatable {
        public var time: Double
        public var acceptedPerSecond: Double
        public var donePerSecond: Double
        public var queueItems: Double
        public var inFlight: Double
        public var p50: Double
        public var p99: Double
    }

    /// A process is live when its last snapshot is at most this old (seconds).
    public var liveAfter = 5.0
    /// Live processes by `role/name`.
    public private(set) var sources: [String: Source] = [:]
    /// Figures of incarnations that ended (restarted processes), including before the collector's restart.
    public private(set) var retired = MetricTotals()
    /// Snapshots taken in, refused (schema), and known lost (gaps in `seq`).
    public private(set) var received = 0, invalid = 0
    /// The live series, oldest first, at most ``seriesLength`` points.
    public private(set) var series: [Point] = []
    public var seriesLength = 600
    private var history: [(time: Double, totals: MetricTotals)] = []

    public init() {}

    /// Takes in one snapshot.
    public mutating func ingest(_ s: MetricsSnapshot, now: Double) {
        received += 1
        let key = s.source.role + "/" + s.source.name
        if var old = sources[key] {
            if old.snapshot.source.incarnation != s.source.incarnation {
                retired.add(old.totals)
            } else if s.seq <= old.snapshot.seq {
                return  // a late or repeated snapshot: what it says is already counted
            } else {
                old.lostSnapshots += s.seq - old.snapshot.seq - 1
                sources[key] = Source(snapshot: s, totals: MetricTotals(s), receivedAt: now, lostSnapshots: old.lostSnapshots)
                return
            }
        }
        sources[key] = Source(snapshot: s, totals: MetricTotals(s), receivedAt: now)
    }

    /// Counts a snapshot that failed the schema.
    public mutating func refused() { invalid += 1 }

    /// Everything counted so far: retired incarnations plus the latest of every process.
    public var totals: MetricTotals {
        var t = retired
        for s in sources.values { t.add(s.totals) }
        return t
    }

    /// Snapshots known lost (gaps in the sequence numbers).
    public var lost: Int { sources.values.reduce(0) { $0 + $1.lostSnapshots } }

    /// True when `source` sent a snapshot within ``liveAfter`` seconds.
    public func isLive(_ source: Source, now: Double) -> Bool { now - source.receivedAt <= liveAfter }

    /// Sum of gauge `name` over live processes.
    public func gauge(_ name: String, now: Double) -> Double {
        sources.values.filter { isLive($0, now: now) }.reduce(0) { sum, s in
            sum + s.snapshot.gauges.filter { $0.name == name }.reduce(0) { $0 + $1.value }
        }
    }

    /// Adds a point to the live series: rates and end-to-end latency over the last 5 seconds.
    public mutating func sample(now: Double) {
        let t = totals
        history.append((now, t))
        while let first = history.first, now - first.time > 5.0 { history.removeFirst() }
        let base = history.first!
        let span = max(now - base.time, 1e-9)
        let window = t.histogram("stage_seconds", ["stage": "end_to_end"]).since(base.totals.histogram("stage_seconds", ["stage": "end_to_end"]))
        let point = Point(time: now,
                          acceptedPerSecond: base.time == now ? 0 : (t.counter("items_accepted_total") - base.totals.counter("items_accepted_total")) / span,
                          donePerSecond: base.time == now ? 0 : (t.counter("items_done_total") - base.totals.counter("items_done_total")) / span,
                          queueItems: gauge("queue_items", now: now), inFlight: gauge("jobs_in_flight", now: now),
                          p50: window.quantile(0.5), p99: window.quantile(0.99))
        series.append(point)
        if series.count > seriesLength { series.removeFirst(series.count - seriesLength) }
        // Processes silent for an hour are gone for good: their figures join the retired ones.
        for (key, source) in sources where now - source.receivedAt > forgetAfter {
            retired.add(source.totals)
            sources[key] = nil
        }
    }

    /// Seconds after which a silent process's figures are folded into ``retired``.
    public var forgetAfter = 3600.0

    /// Restores what a previous run of the collector persisted.
    public mutating func restore(retired: MetricTotals, sources: [String: Source]) {
        self.retired = retired
        self.sources = sources
    }
}
