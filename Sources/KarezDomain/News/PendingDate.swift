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

    private static func isoValue(year: Int, month: Int?, day: Int?, precision: DatePrecision) -> String {
        var s = String(year)
        while s.utf8.count < 4 { s = "0" + s }
        guard let month, precision != .year else { return s }
        s += month < 10 ? "-0\(month)" : "-\(month)"
        guard let day, precision == .day else { return s }
        return s + (day < 10 ? "-0\(day)" : "-\(day)")
    }
}
