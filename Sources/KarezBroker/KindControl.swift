import KarezProtocol

/// What an operator set for one kind (`karez ctl`): paused, and limits on jobs in flight and on
/// deliveries per second (kept in `control.json` as ``KindControlSettings``), with the rate
/// limit's token bucket.
struct KindControl: Equatable {
    var paused = false
    /// Most jobs of the kind out with workers at once, across all workers; 0: no limit.
    var concurrency = 0
    /// Most deliveries per second; 0: no limit.
    var rate = 0.0
    /// The rate limit's token bucket: deliveries it allows now, and when it was last filled.
    var tokens = 0.0
    var filledAt: UInt64 = 0

    /// True when an operator set nothing for the kind (its token bucket aside).
    var isDefault: Bool { !paused && concurrency == 0 && rate == 0 }

    /// The bucket holds a tenth of a second's deliveries (at least one): a burst of that many,
    /// then the rate.
    var burst: Double { max(1, rate / 10) }

    /// True when a job of the kind may go now.
    func allows(inFlight: Int) -> Bool {
        !paused && (concurrency == 0 || inFlight < concurrency) && (rate == 0 || tokens >= 1)
    }

    mutating func refill(now: UInt64) {
        guard rate > 0 else { return }
        if now > filledAt { tokens = min(burst, tokens + rate * Double(now - filledAt) / 1000) }
        filledAt = now
    }

    /// Milliseconds until the bucket allows one delivery (0 when it does now).
    var millisUntilToken: UInt64 {
        guard rate > 0, tokens < 1 else { return 0 }
        return UInt64(min(86_400_000, ((1 - tokens) * 1000 / rate).rounded(.up)))
    }
}
