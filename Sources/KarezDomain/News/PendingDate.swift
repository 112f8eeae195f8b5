import KarezProtocol

/// A date as found, before month-day mentions without a year get one.
struct PendingDate: Sendable, Equatable {
    var text: TextSpan
    var year: Int?
    var month: Int?
    var day: Int?
    var precision: DatePrecision

    /// The dates with a year filled in where the text gave none, dropping those that cannot get
    /// one or are not real calendar dates.
    ///
    /// A month-day (or month) without a year becomes the most recent such date not after
    /// `published` (1月4日 in a story of 2024-01-10 is 2024-01-04; 12月30日 is 2023-12-30). Without
    /// `published`, the year is that of the chronologically latest date in the story that gives
    /// its year (a report is written soon after the last event it dates); without such a date the
    /// mention is left out.
    static func resolve(_ pending: [PendingDate], published: CalendarDate?) -> [NewsDate<TextSpan>] {
        var reference = published
        if reference == nil {
            var latest: CalendarDate?
            for p in pending {
                guard let y = p.year else { continue }
                let d = CalendarDate(year: y, month: p.month ?? 12, day: p.day ?? CalendarDate.daysIn(month: p.month ?? 12, year: y))
                if latest == nil || latest! < d { latest = d }
            }
            if let latest { reference = CalendarDate(year: latest.year, month: 12, day: 31) }
        }
        var out: [NewsDate<TextSpan>] = []
        out.reserveCapacity(pending.count)
        for p in pending {
            var year = p.year
            if year == nil {
                guard let reference, let month = p.month else { continue }
                year = mostRecentYear(month: month, day: p.day, notAfter: reference)
            }
            guard let y = year else { continue }
            out.append(NewsDate(text: p.text, value: isoValue(year: y, month: p.month, day: p.day, precision: p.precision),
                                precision: p.precision))
        }
        return out
    }

    /// The latest year in which month-day (or the month) falls on or before `reference`, looking
    /// back at most eight years (29 February needs a leap year).
    static func mostRecentYear(month: Int, day: Int?, notAfter reference: CalendarDate) -> Int? {
        for y in stride(from: reference.year, to: reference.year - 8, by: -1) {
            if let day {
                guard let d = CalendarDate.make(year: y, month: month, day: day) else { continue }
                if d <= reference { return y }
            } else if y < reference.year || month <= reference.month {
                return y
            }
        }
        return nil
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` as `precision` says (a year past 9999 has more digits).
    private static func isoValue(year: Int, month: Int?, day: Int?, precision: DatePrecision) -> String {
        guard (0...9999).contains(year) else {
            let rest = isoValue(year: 0, month: month, day: day, precision: precision).dropFirst(4)
            return String(year) + rest
        }
        // At most ten ASCII bytes: a small string, built without temporaries.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 10) { b in
            func put(_ value: Int, digits: Int, at k: Int) {
                var v = value
                for d in stride(from: k + digits - 1, through: k, by: -1) {
                    b[d] = UInt8(ascii: "0") + UInt8(v % 10)
                    v /= 10
                }
            }
            var count = 4
            put(year, digits: 4, at: 0)
            if let month, precision != .year {
                b[4] = UInt8(ascii: "-")
                put(month, digits: 2, at: 5)
                count = 7
                if let day, precision == .day {
                    b[7] = UInt8(ascii: "-")
                    put(day, digits: 2, at: 8)
                    count = 10
                }
            }
            return String(decoding: UnsafeBufferPointer(rebasing: b[..<count]), as: UTF8.self)
        }
    }
}
