#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 UTC time stamps without Foundation's formatters.
public enum RFC3339 {
    /// Now, to the millisecond: `2024-01-10T01:30:00.123Z`.
    public static func now() -> String { format(epochSeconds: Self.wallSeconds()) }

    private static func wallSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// `seconds` since 1970 as RFC 3339 UTC with milliseconds.
    public static func format(epochSeconds seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded(.down))
        let days = Int((Double(millis) / 86_400_000).rounded(.down))
        let ms = millis - days * 86_400_000
        let date = CalendarDate(daysSinceEpoch: days)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        let frac = ms % 1000
        let fracText = frac < 10 ? "00\(frac)" : frac < 100 ? "0\(frac)" : "\(frac)"
        return "\(date)T\(two(ms / 3_600_000)):\(two(ms / 60_000 % 60)):\(two(ms / 1000 % 60)).\(fracText)Z"
    }
}
