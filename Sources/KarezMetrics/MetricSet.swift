import KarezProtocol

/// Counters, gauges and latency histograms of one process, keyed by name and labels. A value
/// type for one owner (the broker's loop thread); ``SharedMetrics`` wraps it for several threads.
public struct MetricSet: Sendable {
    public private(set) var counters: [MetricKey: Double] = [:]
    public private(set) var gauges: [MetricKey: Double] = [:]
    public private(set) var histograms: [MetricKey: LatencyHistogram] = [:]

    public init() {}

    /// Adds `amount` (≥ 0) to a counter; counter names end in `_total`.
    public mutating func add(_ name: String, _ labels: [String: String] = [:], _ amount: Double = 1) {
        counters[MetricKey(name, labels), default: 0] += amount
    }

    /// Adds to a counter by key (no label sorting on hot paths).
    public mutating func add(_ key: MetricKey, _ amount: Double = 1) { counters[key, default: 0] += amount }

    /// Sets a gauge.
    public mutating func set(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        gauges[MetricKey(name, labels)] = value
    }

    /// Records one latency in seconds.
    public mutating func observe(_ key: MetricKey, seconds: Double) {
        histograms[key, default: LatencyHistogram()].record(seconds: seconds)
    }

    /// Records one latency in microseconds.
    public mutating func observe(_ key: MetricKey, micros: UInt64) {
        histograms[key, default: LatencyHistogram()].record(micros: micros)
    }

    /// Records many latencies in microseconds into one histogram (one lookup).
    public mutating func observe(_ key: MetricKey, micros: [UInt64]) {
        guard !micros.isEmpty else { return }
        histograms[key, default: LatencyHistogram()].record(micros: micros)
    }

    /// Records one latency in microseconds `count` times (one lookup).
    public mutating func observe(_ key: MetricKey, micros: UInt64, count: Int) {
        guard count > 0 else { return }
        histograms[key, default: LatencyHistogram()].record(micros: micros, count: count)
    }

    /// Adds a whole histogram (recorded elsewhere without a lock) to the one at `key`.
    public mutating func merge(_ key: MetricKey, _ histogram: LatencyHistogram) {
        histograms[key, default: LatencyHistogram()].add(histogram)
    }

    /// The set as a `METRICS` snapshot body.
    public func snapshot(source: MetricsSnapshot.Source, seq: Int, time: String, uptimeSeconds: Double) -> MetricsSnapshot {
        func samples(_ d: [MetricKey: Double]) -> [MetricsSnapshot.Sample] {
            d.sorted { $0.key < $1.key }.map { MetricsSnapshot.Sample(name: $0.key.name, labels: $0.key.labelDictionary, value: $0.value) }
        }
        let hs = histograms.sorted { $0.key < $1.key }.map { key, h in
            MetricsSnapshot.Histogram(name: key.name, labels: key.labelDictionary, count: h.count, sum: h.sum, buckets: h.cumulativeBuckets)
        }
        return MetricsSnapshot(source: source, seq: seq, time: time, uptimeSeconds: uptimeSeconds,
                               counters: samples(counters), gauges: samples(gauges), histograms: hs)
    }
}
