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
        /// With CURVE: the key that sent it (only that key may update this source).
        public var sender: String?
    }

    /// Bounds on what the intake takes in, so no sender can grow the collector without limit
    /// (PROTOCOL.md 5.1).
    public struct Limits: Sendable {
        /// Most sources (processes) kept at once.
        public var maxSources = 1000
        /// Most series (counters, gauges and histograms) in one snapshot.
        public var maxSeriesPerSnapshot = 1000
        /// Most labels on one series, and longest label name or value (bytes).
        public var maxLabels = 8
        public var maxLabelBytes = 128
        /// Most distinct series over all sources and retired figures.
        public var maxSeries = 50_000
        /// Most distinct metric names, and buckets per histogram.
        public var maxNames = 10_000
        public var maxBuckets = 100
        public init() {}
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
    /// Snapshots taken in, refused (schema or limits), and known lost (gaps in `seq`).
    public private(set) var received = 0, invalid = 0
    /// Connections the intake refused (CURVE key not allowed).
    public var intakeAuthRefused = 0
    public var limits = Limits()
    /// The type each metric name arrived with first: a name arriving as another type is refused
    /// (Prometheus rejects a scrape that gives one name two types).
    private var types: [String: MetricType] = [:]
    enum MetricType { case counter, gauge, histogram }
    /// The live series, oldest first, at most ``seriesLength`` points.
    public private(set) var series: [Point] = []
    public var seriesLength = 600
    private var history: [(time: Double, totals: MetricTotals)] = []

    public init() {}

    /// Takes in one snapshot, or refuses it (counted in ``invalid``).
    /// - Parameter sender: the CURVE key that sent it; a source stays bound to its first key.
    /// - Returns: why it was refused, or nil.
    @discardableResult
    public mutating func ingest(_ s: MetricsSnapshot, sender: String? = nil, now: Double) -> String? {
        let key = s.source.role + "/" + s.source.name
        if let refusal = problem(s, key: key, sender: sender) {
            invalid += 1
            return refusal
        }
        received += 1
        for c in s.counters { types[c.name] = .counter }
        for g in s.gauges { types[g.name] = .gauge }
        for h in s.histograms { types[h.name] = .histogram }
        if var old = sources[key] {
            if old.snapshot.source.incarnation != s.source.incarnation {
                retired.add(old.totals)
            } else if s.seq <= old.snapshot.seq {
                return nil  // a late or repeated snapshot: what it says is already counted
            } else {
                old.lostSnapshots += s.seq - old.snapshot.seq - 1
                sources[key] = Source(snapshot: s, totals: MetricTotals(s), receivedAt: now, lostSnapshots: old.lostSnapshots, sender: old.sender)
                return nil
            }
        }
        sources[key] = Source(snapshot: s, totals: MetricTotals(s), receivedAt: now, sender: sender ?? sources[key]?.sender)
        return nil
    }

    /// Why a snapshot cannot be taken in: another key's source, too many sources or series,
    /// labels beyond the limits, or a metric name with a second type.
    func problem(_ s: MetricsSnapshot, key: String, sender: String?) -> String? {
        let existing = sources[key]
        if let bound = existing?.sender, bound != sender { return "source \(key.prefix(100)) belongs to another key" }
        if existing == nil, sources.count >= limits.maxSources { return "more than \(limits.maxSources) sources (collector --max-sources)" }
        let seriesCount = s.counters.count + s.gauges.count + s.histograms.count
        if seriesCount > limits.maxSeriesPerSnapshot { return "\(seriesCount) series in one snapshot; the limit is \(limits.maxSeriesPerSnapshot)" }
        let labelSets = s.counters.lazy.map(\.labels) + s.gauges.lazy.map(\.labels) + s.histograms.lazy.map(\.labels)
        for labels in labelSets {
            if labels.count > limits.maxLabels { return "a series has \(labels.count) labels; the limit is \(limits.maxLabels)" }
            if let bad = labels.keys.first(where: { !Self.isLabelName($0) }) {
                return "label name \(bad.prefix(100)) is not a Prometheus label name (or is reserved: le, __*)"
            }
            if labels.contains(where: { $0.key.utf8.count > limits.maxLabelBytes || $0.value.utf8.count > limits.maxLabelBytes }) {
                return "a label name or value is longer than \(limits.maxLabelBytes) bytes"
            }
        }
        if s.histograms.contains(where: { $0.buckets.count > limits.maxBuckets }) { return "a histogram has more than \(limits.maxBuckets) buckets" }
        let named: [(String, MetricType)] = s.counters.map { ($0.name, .counter) } + s.gauges.map { ($0.name, .gauge) } + s.histograms.map { ($0.name, .histogram) }
        let newNames = Set(named.map(\.0)).filter { types[$0] == nil }.count
        if types.count + newNames > limits.maxNames { return "more than \(limits.maxNames) metric names in all" }
        var seen: [String: MetricType] = [:]
        for (name, type) in named {
            if let known = types[name] ?? seen[name] ?? Self.reservedType(name), known != type {
                return "metric \(name.prefix(100)) arrived as a \(type), but it is a \(known)"
            }
            // A histogram h is exposed as h_bucket, h_sum and h_count: no other metric may use those.
            let parts = type == .histogram ? ["_bucket", "_sum", "_count"].map { name + $0 } : []
            let base = ["_bucket", "_sum", "_count"].first(where: name.hasSuffix).map { String(name.dropLast($0.count)) }
            if parts.contains(where: { types[$0] != nil || seen[$0] != nil }) || (type != .histogram && base.map { types[$0] == .histogram || seen[$0] == .histogram } == true) {
                return "metric \(name.prefix(100)) collides with a histogram's series"
            }
            seen[name] = type
        }
        // A new source, or a restarted one (its old figures stay, retired), may add series.
        if existing == nil || existing?.snapshot.source.incarnation != s.source.incarnation, seriesTotal + seriesCount > limits.maxSeries {
            return "more than \(limits.maxSeries) series in all"
        }
        return nil
    }

    /// A Prometheus label name that the exposition may carry: `[a-zA-Z_][a-zA-Z0-9_]*`, not `le`
    /// (histogram buckets) and not starting with `__` (reserved).
    static func isLabelName(_ name: String) -> Bool { Patterns.isLabelName(name) && !Patterns.isReservedLabelName(name) }

    /// Names the collector itself exposes, with their types.
    static func reservedType(_ name: String) -> MetricType? {
        if name == "process_up" { return .gauge }
        if name.hasPrefix("collector_") || name.hasPrefix("domain_") || name == "auth_refused_total" { return .counter }
        return nil
    }

    /// Distinct series kept now (live sources and retired figures).
    var seriesTotal: Int {
        retired.counters.count + retired.histograms.count + sources.values.reduce(0) { $0 + $1.snapshot.counters.count + $1.snapshot.gauges.count + $1.snapshot.histograms.count }
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

    /// Gauge `name` of one `kind` over live processes, combined with `combine` (added by
    /// default; the oldest age across brokers is their largest).
    public func gauge(_ name: String, kind: String, now: Double, combine: (Double, Double) -> Double = (+)) -> Double {
        let values = sources.values.filter { isLive($0, now: now) }.flatMap { s in
            s.snapshot.gauges.filter { $0.name == name && $0.labels["kind"] == kind }.map(\.value)
        }
        return values.isEmpty ? 0 : values.dropFirst().reduce(values[0], combine)
    }

    /// Kinds that brokers report queue gauges for (every kind they take, busy or not).
    public func queueKinds(now: Double) -> Set<String> {
        Set(sources.values.filter { isLive($0, now: now) }.flatMap { s in
            s.snapshot.gauges.filter { $0.name == "kind_paused" }.compactMap { $0.labels["kind"] }
        })
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
        for key in retired.counters.keys { types[key.name] = .counter }
        for key in retired.histograms.keys { types[key.name] = .histogram }
        for s in sources.values {
            for c in s.snapshot.counters { types[c.name] = .counter }
            for g in s.snapshot.gauges { types[g.name] = .gauge }
            for h in s.snapshot.histograms { types[h.name] = .histogram }
        }
    }
}
