import KarezProtocol

/// The domain rules a news story must meet once it matches its schema (lengths, types and the
/// 1,000,000-scalar body limit are the schema's).
enum NewsValidation {
    /// Every rule the story breaks, given its body's stored length (without page chrome).
    static func violations(_ news: News, body t: UnsafeBufferPointer<UInt32>, storedLength: Int, today: CalendarDate) -> [Violation] {
        var out: [Violation] = []
        if !news.title.unicodeScalars.contains(where: { !Scalars.isSpace($0.value) }) {
            out.append(Violation(path: "/title", code: "min_length", message: "title is empty or only white space"))
        }
        if !(0..<storedLength).contains(where: { !Scalars.isSpace(t[$0]) }) {
            out.append(Violation(path: "/body", code: "min_length",
                                 message: "body is empty once white space and page chrome (打印, 关闭, 返回顶部 …) are removed"))
        }
        if let published = news.publishedAt, isFuture(published, today: today) {
            out.append(Violation(path: "/published_at", code: "date_future",
                                 message: "published_at \(describe(published)) is after today (\(today))"))
        }
        return out
    }

    /// A date-time is in the future when its UTC date is after `today` (UTC). A bare date has no
    /// zone, and somewhere east of UTC it may already be tomorrow: it is in the future only when
    /// it is after tomorrow.
    static func isFuture(_ published: News.PublishedAt, today: CalendarDate) -> Bool {
        switch published {
        case .date(let d):
            return d.daysSinceEpoch > today.daysSinceEpoch + 1
        case .timestamp(let t):
            let seconds = t.secondOfDay - t.offsetMinutes * 60
            let utcDay = t.date.daysSinceEpoch + (seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400))
            return utcDay > today.daysSinceEpoch
        }
    }

    private static func describe(_ published: News.PublishedAt) -> String {
        switch published {
        case .date(let d): d.description
        case .timestamp(let t): "\(t.date) (date-time)"
        }
    }
}
