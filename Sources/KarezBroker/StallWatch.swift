import Foundation
import Logging

/// Names what holds the broker's loop: each step of a turn is timed, and one whose own time
/// (without the steps nested in it) runs past ``threshold`` is counted and logged with its name
/// and length. Every item waiting on the loop waits that long, so this is where a stall in the
/// latency tail shows its cause.
///
/// The log stays short: one line for the longest stall of a period and how many others there
/// were. The period starts at a second and doubles while stalls go on, up to a minute; a quiet
/// minute brings it back to a second. A class, because steps nest (the journal's sync inside
/// the reading of producers' messages). Used on the loop's thread only.
final class StallWatch {
    /// Steps whose own time is at least this long are reported.
    let threshold: Duration
    private let log: Logger
    private let clock: () -> ContinuousClock.Instant
    private var lastReport: ContinuousClock.Instant
    /// How long after a line the next may come.
    private var period: Duration = .seconds(1)
    /// The longest stall not yet reported, and how many there were.
    private var pending: (step: String, took: Duration, count: Int)?
    /// Time spent in steps nested in the one running now.
    private var nested: Duration = .zero
    /// Steps past the threshold since the start, by name (the broker's metrics carry them).
    private(set) var stalls: [String: Int] = [:]

    /// - Parameter clock: the time now (tests drive it by hand).
    init(threshold: Duration = .milliseconds(20), log: Logger = Logger(label: "karez.broker"),
         clock: @escaping () -> ContinuousClock.Instant = { .now }) {
        (self.threshold, self.log, self.clock) = (threshold, log, clock)
        lastReport = clock() - .seconds(120)
    }

    /// Runs `body` as the step `step`; notes it if its own time, less that of the steps timed
    /// inside it, ran past the threshold.
    @inline(__always)
    func time<T>(_ step: StaticString, _ body: () throws -> T) rethrows -> T {
        let start = clock()
        let outer = nested
        nested = .zero
        defer {
            let took = clock() - start
            let own = took - nested
            nested = outer + took
            if own >= threshold { note(step, own) }
        }
        return try body()
    }

    /// Counts a stall of `step` and reports it when a line is due.
    func note(_ step: StaticString, _ took: Duration) {
        let name = step.description
        stalls[name, default: 0] += 1
        if let p = pending {
            pending = p.took >= took ? (p.step, p.took, p.count + 1) : (name, took, p.count + 1)
        } else {
            pending = (name, took, 1)
        }
        report()
    }

    /// Logs the pending stall once the period since the last line has passed.
    func report() {
        guard let p = pending else { return }
        let now = clock()
        let since = now - lastReport
        guard since >= period else { return }
        // Stalls that go on make lines ever rarer; after a quiet minute they come at once again.
        period = since >= .seconds(60) + period ? .seconds(1) : min(.seconds(60), period * 2)
        lastReport = now
        pending = nil
        let others = p.count > 1 ? " (and \(p.count - 1) more step\(p.count == 2 ? "" : "s") over \(Self.ms(threshold)) ms since the last such line)" : ""
        log.notice("the broker's loop was held \(Self.ms(p.took)) ms by \(p.step): everything waiting on it waited as long\(others)",
                   metadata: ["step": "\(p.step)", "held_ms": "\(Self.ms(p.took))"])
    }

    static func ms(_ d: Duration) -> String { String(format: "%.1f", Double(d / .microseconds(1)) / 1000) }
}
