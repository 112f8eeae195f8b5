import Foundation

/// When an open-loop producer sends the items that fell due, and how long it may sleep.
///
/// Each item is sent no sooner than its intended time (latency counts from that time). At up to
/// 4,000 items/s per producer every item goes at its time. Above, what fell due goes as one
/// `PUBW`, and the broker's answers clock the sends: while the last `PUBW` is unanswered, what
/// falls due waits for the answer (the broker reads it no sooner than its next turn, which that
/// answer ends) or for ``longestHold``, then goes at once (in `PUBW`s of at most `--batch`
/// items). So a producer sends per turn of the broker what that turn answers: at 82,000 items/s
/// that took 19% less CPU per item over all processes than a `PUBW` every 250 µs (about four a
/// turn), at no cost in latency (`Sources/KarezBench/README.md`).
struct SendClock {
    /// Items per second per producer above which sends are batched and clocked.
    static let batchedAbove = 4000.0
    /// The longest an item that fell due waits for the answer to the last `PUBW`.
    static let longestHold: Duration = .milliseconds(2)
    /// With batched sends and nothing unanswered, the producer sleeps at least this long (a
    /// reply wakes it sooner), so items that fall due close together go together.
    static let leastGap: Duration = .microseconds(250)
    /// The longest sleep between looks at the clock.
    static let longestSleep: Duration = .milliseconds(5)

    /// True above ``batchedAbove`` items/s.
    let batched: Bool

    init(rate: Double?) { batched = (rate ?? 0) > Self.batchedAbove }

    /// True when the items due now wait: sends are clocked, the last `PUBW` is unanswered, and
    /// the oldest item due has waited less than ``longestHold``.
    func holds(lastAnswered: Bool, now: ContinuousClock.Instant, oldestDue: ContinuousClock.Instant) -> Bool {
        batched && !lastAnswered && now - oldestDue < Self.longestHold
    }

    /// How long to sleep (waking early for any reply): while holding, until the oldest item due
    /// has waited ``longestHold``; otherwise until the next item is due, and with batched sends
    /// at least ``leastGap``.
    func sleep(holding: Bool, now: ContinuousClock.Instant, nextDue: ContinuousClock.Instant) -> Duration {
        let wait = holding ? nextDue + Self.longestHold - now : max(batched ? Self.leastGap : .zero, nextDue - now)
        return min(Self.longestSleep, max(.zero, wait))
    }
}
