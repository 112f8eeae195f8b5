import Foundation
import Logging

/// Names what holds the broker's loop: each step of a turn is timed, and one that runs past
/// ``threshold`` is logged with its name and length (at most one line a second, the longest
/// of the second, with how many others there were). Every item waiting on the loop waits that
/// long, so this is where a stall in the latency tail shows its cause. A class: steps nest (the
/// journal's sync inside the reading of producers' messages). Used on the loop's thread only.
final class StallWatch {
    /// Steps at least this long are reported.
    let threshold: Duration
    private let log: Logger
    private var lastReport = ContinuousClock.now - .seconds(2)
    /// The longest step past the threshold not yet reported, and how many there were.
    private var pending: (step: String, took: Duration, count: Int)?
    /// Steps past the threshold since the start, by name (the broker's metrics carry them).
    private(set) var stalls: [String: Int] = [:]

    init(threshold: Duration = .milliseconds(20), log: Logger = Logger(label: "karez.broker")) {
        (self.threshold, self.log) = (threshold, log)
    }

    /// Runs `body` as the step `step` and notes it if it ran past the threshold.
    @inline(__always)
    func time<T>(_ step: StaticString, _ body: () throws -> T) rethrows -> T {
        let start = ContinuousClock.now
        defer { note(step, ContinuousClock.now - start) }
        return try body()
    }

    @inline(__always)
    private func note(_ step: StaticString, _ took: Duration) {
        guard took >= threshold else { return }
        let name = step.description
        stalls[name, default: 0] += 1
        if let p = pending {
            pending = p.took >= took ? (p.step, p.took, p.count + 1) : (name, took, p.count + 1)
        } else {
            pending = (name, took, 1)
        }
        report()
    }

    /// Logs the pending stall once a second has passed since the last line.
    func report(now: ContinuousClock.Instant = .now) {
        guard let p = pending, now - lastReport >= .seconds(1) else { return }
        lastReport = now
        pending = nil
        let others = p.count > 1 ? " (and \(p.count - 1) more step\(p.count == 2 ? "" : "s") over \(Self.ms(threshold)) ms since the last report)" : ""
        log.notice("the broker's loop was held \(Self.ms(p.took)) ms by \(p.step): everything waiting on it waited as long\(others)",
                   metadata: ["step": "\(p.step)", "held_ms": "\(Self.ms(p.took))"])
    }

    static func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d / .microseconds(1)) / 1000) }
}
