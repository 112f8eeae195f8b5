import Histogram

/// A latency distribution recorded with HdrHistogram (microsecond resolution, two significant
/// digits, 1 µs to 1 hour), exported as cumulative Prometheus buckets at ``bounds``.
public struct LatencyHistogram: Sendable {
    /// Bucket upper bounds in seconds, shared by every sender so the collector can add buckets up.
    public static let bounds: [Double] = [
        0.00001, 0.00002, 0.00003, 0.00005, 0.00007, 0.0001, 0.0002, 0.0003, 0.0005, 0.0007,
        0.001, 0.002, 0.003, 0.005, 0.007, 0.01, 0.02, 0.03, 0.05, 0.07,
        0.1, 0.2, 0.3, 0.5, 0.7, 1, 2, 3, 5, 7, 10, 20, 30, 60, 300,
    ]
    private static let boundMicros: [UInt64] = bounds.map { UInt64(($0 * 1_000_000).rounded()) }

    private var hdr = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
    /// Sum of the values in `hdr`, in seconds.
    private var recordedSum = 0.0
    /// The last value recorded, and how many times in a row, not yet in `hdr`: a run of equal
    /// values (the broker's are whole milliseconds, so most of a turn's are) costs one
    /// HdrHistogram update.
    private var runMicros: UInt64 = 0
    private var runCount: UInt64 = 0

    public init() {}

    /// Number of recorded values.
    public var count: Int { Int(hdr.totalCount + runCount) }

    /// Sum of the recorded values in seconds.
    public var sum: Double { recordedSum + Double(runMicros) / 1_000_000 * Double(runCount) }

    /// Records one value in seconds (negative values count as 0, values above an hour as an hour).
    public mutating func record(seconds: Double) {
        let s = max(0, seconds)
        recordedSum += s
        _ = hdr.record(min(3_600_000_000, UInt64(s * 1_000_000)))
    }

    /// Records one value in microseconds (in the sum as it is; in the buckets, values above an
    /// hour as an hour).
    public mutating func record(micros: UInt64) {
        if micros == runMicros {
            runCount &+= 1
            return
        }
        endRun()
        (runMicros, runCount) = (micros, 1)
    }

    /// Moves the run of equal values into `hdr`.
    private mutating func endRun() {
        guard runCount > 0 else { return }
        recordedSum += Double(runMicros) / 1_000_000 * Double(runCount)
        _ = hdr.record(min(3_600_000_000, runMicros), count: runCount)
        runCount = 0
    }

    /// Records values in microseconds.
    public mutating func record(micros values: [UInt64]) {
        for v in values { record(micros: v) }
    }

    /// Records one value in microseconds `count` times.
    public mutating func record(micros: UInt64, count: Int) {
        guard count > 0 else { return }
        recordedSum += Double(micros) / 1_000_000 * Double(count)
        _ = hdr.record(min(3_600_000_000, micros), count: UInt64(count))
    }

    /// A histogram known only by its buckets, as a snapshot or a checkpoint keeps it: `count`
    /// values with `sum`, `cumulative[i]` of them at most ``bounds``[i]. Each value is taken to be
    /// its bucket's upper bound (those above the last bound, twice it), so ``cumulativeBuckets``
    /// gives back the same counts. Nil when `cumulative` does not match ``bounds`` or does not
    /// rise, or when `count` or `sum` is one no run reaches (over 2^53 values, a sum that is
    /// negative or not finite).
    public init?(cumulative: [Int], count: Int, sum: Double) {
        guard cumulative.count == Self.bounds.count, count >= (cumulative.last ?? 0), count <= 1 << 53, sum.isFinite, sum >= 0 else { return nil }
        var below = 0
        for (i, atMost) in cumulative.enumerated() {
            guard atMost >= below else { return nil }
            record(micros: Self.boundMicros[i], count: atMost - below)
            below = atMost
        }
        record(micros: 2 * Self.boundMicros.last!, count: count - below)
        recordedSum = sum
    }

    /// Adds every value of `other`.
    public mutating func add(_ other: LatencyHistogram) {
        hdr.add(other.hdr)
        recordedSum += other.recordedSum
        if other.runCount > 0 { record(micros: other.runMicros, count: Int(other.runCount)) }
    }

    /// Cumulative `(upper bound in seconds, values ≤ bound)` pairs at ``bounds``: a value counts
    /// for a bound when its HdrHistogram bucket starts at or below it. One pass over the recorded
    /// buckets (the broker builds these on its loop thread every second).
    public var cumulativeBuckets: [(upperBound: Double, count: Int)] {
        var out: [(upperBound: Double, count: Int)] = Self.bounds.map { ($0, 0) }
        guard count > 0 else { return out }
        var all = self
        all.endRun()
        let hdr = all.hdr
        var bound = 0, below = 0
        for v in hdr.recordedValues() {
            let low = hdr.lowestEquivalentForValue(v.value)
            while bound < out.count, Self.boundMicros[bound] < low {
                out[bound].count = below
                bound += 1
            }
            below += Int(v.count)
        }
        while bound < out.count {
            out[bound].count = below
            bound += 1
        }
        return out
    }
}
