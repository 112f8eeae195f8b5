import Foundation

/// One case of the transport comparison: Swift and C medians side by side.
public struct TransportComparison: Sendable, Encodable {
    public var pattern: TransportPattern
    public var size: Int
    public var count: Int
    public var repeats: Int
    /// Median messages per second through the Swift layer.
    public var swiftRate: Double
    /// Median messages per second through raw libzmq in C.
    public var cRate: Double
    /// Every run's rate, Swift then C, in the order they ran.
    public var swiftRuns: [Double]
    public var cRuns: [Double]
    /// Swift median over C median.
    public var ratio: Double { cRate > 0 ? swiftRate / cRate : 0 }

    /// One line: `push-pull 600B swift=1234567 msgs/s c=1250000 msgs/s ratio=0.99`.
    public var line: String {
        "\(pattern.rawValue) \(size)B swift=\(Int(swiftRate)) msgs/s c=\(Int(cRate)) msgs/s "
            + "ratio=\(String(format: "%.2f", ratio))"
    }

    enum CodingKeys: String, CodingKey {
        case pattern, size, count, repeats, swiftRate = "swift_msgs_per_s", cRate = "c_msgs_per_s"
        case swiftRuns = "swift_runs", cRuns = "c_runs", ratio
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(pattern, forKey: .pattern)
        try c.encode(size, forKey: .size)
        try c.encode(count, forKey: .count)
        try c.encode(repeats, forKey: .repeats)
        try c.encode(swiftRate.rounded(), forKey: .swiftRate)
        try c.encode(cRate.rounded(), forKey: .cRate)
        try c.encode(swiftRuns.map { $0.rounded() }, forKey: .swiftRuns)
        try c.encode(cRuns.map { $0.rounded() }, forKey: .cRuns)
        try c.encode((ratio * 1000).rounded() / 1000, forKey: .ratio)
    }
}

extension TransportBenchmark {
    /// Runs Swift and C alternately `repeats` times (so drift on a noisy machine hits both
    /// alike) and returns the medians.
    public func compare(repeats: Int) throws -> TransportComparison {
        var swift: [Double] = []
        var c: [Double] = []
        for _ in 0..<max(1, repeats) {
            c.append(try runC().rate)
            swift.append(try runSwift().rate)
        }
        return TransportComparison(pattern: pattern, size: size, count: count, repeats: repeats,
                                   swiftRate: median(swift), cRate: median(c), swiftRuns: swift, cRuns: c)
    }
}

/// The median of a non-empty list (the mean of the middle two for an even count).
public func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let mid = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}
