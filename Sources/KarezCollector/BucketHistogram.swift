import KarezMetrics
import KarezProtocol

/// A cumulative histogram at the standard bounds (``LatencyHistogram/bounds``): what the
/// collector adds up across senders. Buckets from a sender with other bounds are mapped onto
/// the standard ones conservatively (each count moves to the next standard bound at or above).
public struct BucketHistogram: Sendable, Equatable, Codable {
    public var count = 0
    public var sum = 0.0
    /// Cumulative counts, one per standard bound.
    public var cumulative = [Int](repeating: 0, count: LatencyHistogram.bounds.count)

    public init() {}

    /// A snapshot histogram on the standard bounds.
    public init(_ h: MetricsSnapshot.Histogram) {
        count = h.count
        sum = h.sum
        let bounds = LatencyHistogram.bounds
        if h.buckets.map(\.upperBound) == bounds {
            cumulative = h.buckets.map(\.count)
        } else {
            // Count at a standard bound = the sender's cumulative count at its largest bound ≤ it.
            cumulative = bounds.map { b in h.buckets.last { $0.upperBound <= b }?.count ?? 0 }
        }
    }

    public static func + (a: BucketHistogram, b: BucketHistogram) -> BucketHistogram {
        var r = a
        r.count += b.count
        r.sum += b.sum
        for i in r.cumulative.indices { r.cumulative[i] += b.cumulative[i] }
        return r
    }

    /// What was observed between `earlier` and this (for windowed percentiles).
    public func since(_ earlier: BucketHistogram) -> BucketHistogram {
        var r = self
        r.count = max(0, count - earlier.count)
        r.sum = max(0, sum - earlier.sum)
        for i in r.cumulative.indices { r.cumulative[i] = max(0, cumulative[i] - earlier.cumulative[i]) }
        return r
    }

    /// The `q` quantile (0…1) in seconds, interpolated linearly within its bucket as Prometheus's
    /// `histogram_quantile` does; values above the last bound report that bound.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let bounds = LatencyHistogram.bounds
        let rank = q * Double(count)
        var lowerBound = 0.0, lowerCount = 0
        for (i, c) in cumulative.enumerated() {
            if Double(c) >= rank {
                let inBucket = c - lowerCount
                guard inBucket > 0 else { return bounds[i] }
                return lowerBound + (bounds[i] - lowerBound) * (rank - Double(lowerCount)) / Double(inBucket)
            }
            (lowerBound, lowerCount) = (bounds[i], c)
        }
        return bounds.last ?? 0
    }
}
