/// A calendar date without time or zone, as in `"2023-05-24"` (RFC 3339 full-date).
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A date that is known to be valid; use ``parse(_:)`` or ``make(year:month:day:)`` otherwise.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date, or nil when the day does not exist (2023-02-30) or the year is 0.
    public static func make(year: Int, month: Int, day: Int) -> CalendarDate? {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
              day <= daysIn(month: month, year: year) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// Parses exactly `YYYY-MM-DD` with a day that exists.
    public static func parse(_ text: String) -> CalendarDate? {
        let u = Array(text.utf8)
        guard u.count == 10, u[4] == UInt8(ascii: "-"), u[7] == UInt8(ascii: "-"),
              let y = digits(u, 0, 4), let m = digits(u, 5, 2), let d = digits(u, 8, 2) else { return nil }
        return make(year: y, month: m, day: d)
    }

    /// Days in a month of the Gregorian calendar.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    static func digits(_ u: [UInt8], _ start: Int, _ count: Int) -> Int? {
        var v = 0
        for i in start..<(start + count) {
            let c = u[i]
            guard c >= 0x30 && c <= 0x39 else { return nil }
            v = v * 10 + Int(c - 0x30)
        }
        return v
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    /// The date a number of days after 1970-01-01.
    public init(daysSinceEpoch z0: Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (m <= 2 ? 1 : 0), month: m, day: d)
    }

    /// Today's date in UTC.
    public static func today() -> CalendarDate {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return CalendarDate(daysSinceEpoch: Int(ts.tv_sec) / 86_400)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    /// Writes `"YYYY-MM-DD"` (quoted) as a JSON string: the bytes ``JSONWriter`` writes for
    /// ``description``.
    public func write(into out: inout JSONByteSink) {
        out.reserve(12)
        out.append(UInt8(ascii: "\""))
        out.appendDigits(of: Int64(year), count: 4)
        out.append(UInt8(ascii: "-"))
        out.appendDigits(of: Int64(month), count: 2)
        out.append(UInt8(ascii: "-"))
        out.appendDigits(of: Int64(day), count: 2)
        out.append(UInt8(ascii: "\""))
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An RFC 3339 date-time such as `2024-01-10T08:30:00+08:00`.
public struct Timestamp: Sendable, Hashable {
    /// The local calendar date written in the text.
    public var date: CalendarDate
    /// Seconds since local midnight, fraction dropped.
    public var secondOfDay: Int
    /// The zone offset in minutes east of UTC.
    public var offsetMinutes: Int

    /// Parses RFC 3339 `date-time` (`T`/`Z` in either case, fraction optional, no leap seconds).
    public static func parse(_ text: String) -> Timestamp? {
        let u = Array(text.uppercased().utf8)
        guard u.count >= 20, let date = CalendarDate.parse(String(decoding: u[0..<10], as: UTF8.self)),
              u[10] == UInt8(ascii: "T"), u[13] == UInt8(ascii: ":"), u[16] == UInt8(ascii: ":"),
              let h = CalendarDate.digits(u, 11, 2), let mi = CalendarDate.digits(u, 14, 2),
              let s = CalendarDate.digits(u, 17, 2), h <= 23, mi <= 59, s <= 59 else { return nil }
        var i = 19
        if u[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }
            guard i > start else { return nil }
        }
        guard i < u.count else { return nil }
        var offset = 0
        if u[i] == UInt8(ascii: "Z") {
            i += 1
        } else {
            guard u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-"), i + 6 == u.count, u[i + 3] == UInt8(ascii: ":"),
                  let oh = CalendarDate.digits(u, i + 1, 2), let om = CalendarDate.digits(u, i + 4, 2),
                  oh <= 23, om <= 59 else { return nil }
            offset = (oh * 60 + om) * (u[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        }
        guard i == u.count else { return nil }
        return Timestamp(date: date, secondOfDay: h * 3600 + mi * 60 + s, offsetMinutes: offset)
    }
}
