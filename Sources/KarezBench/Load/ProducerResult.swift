import Foundation
import Histogram

/// What one load producer measured. Codable, so producers on other hosts can send theirs to
/// be merged (`karez bench merge`).
public struct ProducerResult: Sendable, Codable {
    public var producer = ""
    public var published = 0, acknowledged = 0, duplicates = 0, refused = 0, busy = 0, resent = 0
    public var finishedDone = 0, finishedDead = 0, finishedTwice = 0
    /// Acknowledged by a broker that then restarted: it sends no `FIN` for them (the loss check
    /// looks for them in the store or the queue instead).
    public var finishedWithoutFIN = 0
    /// Acknowledged items with no `FIN` by the end (their broker restarted, or they never finished).
    public var unfinished = 0
    public var bytes = 0
    /// `PUBW` messages sent, resends included (nil in results of earlier releases).
    public var publishMessages: Int?
    /// Intended send → `ACK` (journalled), microseconds; from the intended time in open loop.
    public var ackLatency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Intended send → `FIN done` (processed), microseconds.
    public var doneLatency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Acknowledgements and `FIN`s per second since the start.
    public var acksPerSecond: [Int] = []
    public var donePerSecond: [Int] = []
    /// The longest intended send → `FIN done` among the `FIN`s of each second, microseconds:
    /// when in the run a stall happened.
    public var doneMaxPerSecond: [Int] = []
    /// Open loop: intended send → sent, microseconds: the part of every latency that is the
    /// generator's own (its batching window, and any time its thread did not run). Past the
    /// window it is the generator falling behind.
    public var sendLatency = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
    /// Seconds from the first send to the last acknowledgement and to the last `FIN`.
    public var ackSeconds = 0.0, doneSeconds = 0.0
    /// Wall-clock start (seconds since 1970), to line up producers on different hosts.
    public var startedAt = 0.0
    /// Ids acknowledged (for the loss check), as `(prefix, [n])`.
    public var idPrefix = ""
    public var acknowledgedIndices: [Int] = []

    public init() {}

    /// Updates second `s` of a per-second series, growing it with zeros to reach that second.
    static func update(_ a: inout [Int], second s: Int, _ change: (inout Int) -> Void) {
        if a.count <= s { a += Array(repeating: 0, count: s + 1 - a.count) }
        change(&a[s])
    }

    /// Every producer's figures together (``merge(_:)`` in turn). A count some of them lack (results
    /// of earlier releases) is nil: a sum of the others would pass for the whole.
    public static func merged(_ parts: [ProducerResult]) -> ProducerResult {
        var all = ProducerResult()
        for part in parts { all.merge(part) }
        if parts.contains(where: { $0.publishMessages == nil }) { all.publishMessages = nil }
        return all
    }

    /// Adds another producer's figures: histograms and counts add up, per-second maxima take the larger.
    public mutating func merge(_ o: ProducerResult) {
        published += o.published; acknowledged += o.acknowledged; duplicates += o.duplicates; refused += o.refused
        busy += o.busy; resent += o.resent; finishedDone += o.finishedDone; finishedDead += o.finishedDead
        finishedTwice += o.finishedTwice; finishedWithoutFIN += o.finishedWithoutFIN; unfinished += o.unfinished; bytes += o.bytes
        if let theirs = o.publishMessages { publishMessages = (publishMessages ?? 0) + theirs }
        ackLatency.add(o.ackLatency)
        doneLatency.add(o.doneLatency)
        let shift = startedAt == 0 ? 0 : max(0, Int((o.startedAt - startedAt).rounded()))
        // Per-second series line up by wall-clock second: counts add, maxima take the larger.
        func combine(_ a: inout [Int], _ b: [Int], _ f: (Int, Int) -> Int) {
            for (i, v) in b.enumerated() { Self.update(&a, second: i + shift) { $0 = f($0, v) } }
        }
        combine(&acksPerSecond, o.acksPerSecond, +)
        combine(&donePerSecond, o.donePerSecond, +)
        combine(&doneMaxPerSecond, o.doneMaxPerSecond, max)
        sendLatency.add(o.sendLatency)
        ackSeconds = max(ackSeconds, o.ackSeconds + Double(shift))
        doneSeconds = max(doneSeconds, o.doneSeconds + Double(shift))
        if startedAt == 0 { startedAt = o.startedAt }
    }
}
