#if canImport(Glibc)
import Glibc
#endif

/// The broker's time in milliseconds: the wall time at which the broker started, advanced by
/// the monotonic clock since.
///
/// Leases, heartbeats, retry backoff and latencies are measured on it, so they never jump when
/// the system clock is stepped (NTP, an operator). The times the broker journals (when an item
/// was accepted, which the dedup window and the queued latency read after a restart) stay wall
/// times, re-anchored at each start.
public struct BrokerClock: Sendable {
    private let startWall: UInt64
    private let startMonotonic: UInt64
    private let monotonic: @Sendable () -> UInt64

    /// - Parameters:
    ///   - wall: read once, now: milliseconds since 1970.
    ///   - monotonic: milliseconds of a clock that only moves forward, read at every ``now()``.
    public init(wall: () -> UInt64 = BrokerClock.wallMillis,
                monotonic: @escaping @Sendable () -> UInt64 = BrokerClock.monotonicMillis) {
        (startWall, startMonotonic, self.monotonic) = (wall(), monotonic(), monotonic)
    }

    /// Milliseconds: the start's wall time plus the monotonic time elapsed since.
    public func now() -> UInt64 { startWall &+ (monotonic() &- startMonotonic) }

    /// `CLOCK_REALTIME` in milliseconds since 1970.
    @Sendable public static func wallMillis() -> UInt64 { millis(CLOCK_REALTIME) }

    /// `CLOCK_MONOTONIC` in milliseconds (since boot, not counting suspend).
    @Sendable public static func monotonicMillis() -> UInt64 { millis(CLOCK_MONOTONIC) }

    private static func millis(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000
    }
}
