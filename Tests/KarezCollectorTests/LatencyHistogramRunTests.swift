import KarezMetrics
import Testing

/// ``LatencyHistogram`` keeps a run of equal values aside and records it at once: what it
/// reports must be what recording each value alone gives.
@Suite struct LatencyHistogramRunTests {
    /// The same values recorded one at a time (`count: 1` goes straight to HdrHistogram) and as runs.
    static func both(_ values: [UInt64]) -> (single: LatencyHistogram, runs: LatencyHistogram) {
        var single = LatencyHistogram(), runs = LatencyHistogram()
        for v in values {
            single.record(micros: v, count: 1)
            runs.record(micros: v)
        }
        return (single, runs)
    }

    @Test func runsOfEqualValuesReportWhatSingleValuesDo() {
        var g = SystemRandomNumberGenerator()
        var values: [UInt64] = []
        // Runs of 1 to 50 equal values, whole milliseconds as the broker records, and zeros.
        while values.count < 20_000 {
            let v = UInt64.random(in: 0...40, using: &g) * 1000
            values += Array(repeating: v, count: Int.random(in: 1...50, using: &g))
        }
        let (single, runs) = Self.both(values)
        #expect(runs.count == values.count)
        #expect(runs.count == single.count)
        #expect(abs(runs.sum - single.sum) < 1e-6 * single.sum)
        #expect(runs.cumulativeBuckets.map(\.count) == single.cumulativeBuckets.map(\.count))
    }

    @Test func aRunStillOpenCountsEverywhere() {
        var h = LatencyHistogram()
        for _ in 0..<7 { h.record(micros: 3000) }
        #expect(h.count == 7)
        #expect(abs(h.sum - 0.021) < 1e-12)
        #expect(h.cumulativeBuckets.first { $0.upperBound == 0.003 }?.count == 7)
        #expect(h.cumulativeBuckets.first { $0.upperBound == 0.002 }?.count == 0)
        // Adding carries the other's open run too.
        var total = LatencyHistogram()
        total.record(micros: 3000)
        total.add(h)
        #expect(total.count == 8)
        #expect(total.cumulativeBuckets.first { $0.upperBound == 0.003 }?.count == 8)
        // A run of zeros is a run like any other.
        var zeros = LatencyHistogram()
        for _ in 0..<3 { zeros.record(micros: 0) }
        #expect(zeros.count == 3 && zeros.sum == 0)
    }

    @Test func valuesOverAnHourCountInFullInTheSum() {
        let twoHours: UInt64 = 7_200_000_000
        let (single, runs) = Self.both([twoHours, twoHours, 5])
        #expect(abs(runs.sum - single.sum) < 1e-9)
        #expect(abs(runs.sum - 14_400.000005) < 1e-6)
        #expect(runs.cumulativeBuckets.map(\.count) == single.cumulativeBuckets.map(\.count))
    }
}

/// A histogram rebuilt from its buckets (a broker's checkpoint keeps no more) gives back the
/// buckets, count and sum it was built from.
@Suite struct LatencyHistogramFromBucketsTests {
    @Test func bucketsCountAndSumComeBack() throws {
        var original = LatencyHistogram()
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5_000 { original.record(micros: UInt64.random(in: 0...2_000_000, using: &g)) }
        original.record(micros: 900_000_000, count: 3)  // above the last bound (300 s)
        let rebuilt = try #require(LatencyHistogram(cumulative: original.cumulativeBuckets.map(\.count), count: original.count, sum: original.sum))
        #expect(rebuilt.cumulativeBuckets.map(\.count) == original.cumulativeBuckets.map(\.count))
        #expect(rebuilt.count == original.count)
        #expect(abs(rebuilt.sum - original.sum) < 1e-9 * original.sum)
        // Added to a new run's values, as a restarted broker does.
        var carried = rebuilt
        var fresh = LatencyHistogram()
        fresh.record(micros: 4_000, count: 10)
        carried.add(fresh)
        #expect(carried.count == original.count + 10)
        #expect(carried.cumulativeBuckets.first { $0.upperBound == 0.005 }?.count
                == (original.cumulativeBuckets.first { $0.upperBound == 0.005 }?.count ?? 0) + 10)
    }

    @Test func bucketsThatDoNotFitAreRefused() {
        let n = LatencyHistogram.bounds.count
        #expect(LatencyHistogram(cumulative: [1, 2], count: 2, sum: 0.1) == nil, "other bounds")
        #expect(LatencyHistogram(cumulative: [5] + Array(repeating: 3, count: n - 1), count: 5, sum: 0.1) == nil, "falling counts")
        #expect(LatencyHistogram(cumulative: Array(repeating: 4, count: n), count: 3, sum: 0.1) == nil, "more in the buckets than in all")
        #expect(LatencyHistogram(cumulative: Array(repeating: 0, count: n), count: 0, sum: 0)?.count == 0)
    }
}

extension LatencyHistogramFromBucketsTests {
    @Test func countsAndSumsNoRunReachesAreRefused() {
        let n = LatencyHistogram.bounds.count
        let zeros = Array(repeating: 0, count: n)
        #expect(LatencyHistogram(cumulative: zeros, count: Int.max, sum: 1) == nil, "a count that would trap when read")
        #expect(LatencyHistogram(cumulative: zeros, count: 1, sum: -1) == nil, "a negative sum")
        #expect(LatencyHistogram(cumulative: zeros, count: 1, sum: .infinity) == nil)
        #expect(LatencyHistogram(cumulative: zeros, count: 1, sum: .nan) == nil)
        #expect(LatencyHistogram(cumulative: zeros, count: 1 << 53, sum: 1)?.count == 1 << 53)
    }
}
