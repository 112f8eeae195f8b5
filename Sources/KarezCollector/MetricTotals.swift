import KarezMetrics
import KarezProtocol

/// Counters and histograms added up across snapshots, keyed by name and labels.
public struct MetricTotals: Sendable, Equatable {
    public var counters: [MetricKey: Double] = [:]
    public var histograms: [MetricKey: BucketHistogram] = [:]

    public init() {}

    /// The cumulative figures of one snapshot.
    public init(_ s: MetricsSnapshot) {
        for c in s.counters { counters[MetricKey(c.name, c.labels), default: 0] += c.value }
        for h in s.histograms {
            let key = MetricKey(h.name, h.labels)
            histograms[key] = (histograms[key] ?? BucketHistogram()) + BucketHistogram(h)
        }
    }

    /// Adds every figure of `other`.
    public mutating func add(_ other: MetricTotals) {
        for (k, v) in other.counters { counters[k, default: 0] += v }
        for (k, h) in other.histograms { histograms[k] = (histograms[k] ?? BucketHistogram()) + h }
    }

    /// Sum of the counters named `name` whose labels include `matching`.
    public func counter(_ name: String, _ matching: [String: String] = [:]) -> Double {
        counters.reduce(0) { sum, e in
            e.key.name == name && matching.allSatisfy({ e.key[label: $0.key] == $0.value }) ? sum + e.value : sum
        }
    }

    /// Sum of the histograms named `name` whose labels include `matching`.
    public func histogram(_ name: String, _ matching: [String: String] = [:]) -> BucketHistogram {
        histograms.reduce(BucketHistogram()) { sum, e in
            e.key.name == name && matching.allSatisfy({ e.key[label: $0.key] == $0.value }) ? sum + e.value : sum
        }
    }
}
