#if canImport(Glibc)
import Glibc
#endif

/// The broker's time in milliseconds: the wall time at which the broker started, advanced by
/// the monotonic clock since. Both are read in microseconds and the sum cut to whole
/// milliseconds once, so the broker's millisecond is the wall clock's, not up to 2 ms off it
/// (a restarted broker's time agrees with the one before it to the millisecond).
///
/// Leases, heartbeats, retry backoff and latencies are measured on it, so they never jump when
/// the system clock is stepped (NTP, an operator). The times the broker journals (when an item
/// was accepted, which the dedup window and the queued latency read after a restart) stay wall
/// times, re-anchored at each start.
public struct BrokerClock: Sendable {
    /// Microseconds.
    private let startWall: UInt64
    private let startMonotonic: UInt64
    private let monotonic: @Sendable () -> UInt64

    /// - Parameters:
    ///   - wallMicros: read once, now: microseconds since 1970.
    ///   - monotonicMicros: microseconds of a clock that only moves forward, read at every ``now()``.
    public init(wallMicros: () -> UInt64 = BrokerClock.wallMicros,
                monotonicMicros: @escaping @Sendable () -> UInt64 = BrokerClock.monotonicMicros) {
        (startWall, startMonotonic, monotonic) = (wallMicros(), monotonicMicros(), monotonicMicros)
    }

    /// A clock of whole milliseconds (for tests).
    public init(wall: () -> UInt64, monotonic: @escaping @Sendable () -> UInt64) {
        self.init(wallMicros: { wall() * 1000 }, monotonicMicros: { monotonic() * 1000 })
    }

    /// Milliseconds: the start's wall time plus the monotonic time elapsed since.
    public func now() -> UInt64 { (startWall &+ (monotonic() &- startMonotonic)) / 1000 }

    /// `CLOCK_REALTIME` in milliseconds since 1970.
    @Sendable public static func wallMillis() -> UInt64 { micros(CLOCK_REALTIME) / 1000 }

    /// `CLOCK_REALTIME` in microseconds since 1970.
    @Sendable public static func wallMicros() -> UInt64 { micros(CLOCK_REALTIME) }

    /// `CLOCK_MONOTONIC` in microseconds (since boot, not counting suspend).
    @Sendable public static func monotonicMicros() -> UInt64 { micros(CLOCK_MONOTONIC) }

    private static func micros(_ clock: clockid_t) -> UInt64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return UInt64(ts.tv_sec) * 1_000_000 + UInt64(ts.tv_nsec) / 1000
    }
}
