import KarezProtocol

/// The English forms around numbers: money (CNY 12 million, RMB 3.5 billion, 12 million yuan,
/// ¥500,000), percentages (12.5 percent), dates (May 24, 2023; 24 May 2023; early May 2023;
/// in 2023) and counted nouns (723 patients, more than 700 people).
extension NewsScanner {
    /// Scale words after a number, with their power of ten.
    static let scaleWords: [(String, Int)] = [("thousand", 3), ("million", 6), ("billion", 9), ("trillion", 12)]
    /// Abbreviated scales, accepted only after a currency (CNY 12m, RMB 3.5bn).
    static let scaleAbbreviations: [(String, Int)] = [("k", 3), ("m", 6), ("mn", 6), ("bn", 9), ("b", 9)]
    /// Words before a number that make it approximate (kept in the mention's text).
    static let approximationWords: [String] = ["about", "around", "approximately", "nearly", "almost", "roughly", "some", "over",
                                               "more than", "at least", "up to", "less than", "fewer than", "under"]
    /// Words that cannot be the counted noun of a quantity.
    static let notNouns: Set<String> = [
        "and", "or", "of", "to", "the", "a", "an", "in", "on", "at", "for", "by", "with", "from", "as", "is", "was", "were", "are", "be",
        "been", "percent", "per", "yuan", "renminbi", "rmb", "cny", "thousand", "million", "billion", "trillion", "than", "that", "this",
        "it", "its", "he", "she", "they", "we", "which", "who", "after", "before", "since", "until", "while", "when", "more", "times",
    ]
    /// Words after which a bare year is a date (in 2023, since 2019).
    static let yearPrepositions: [String] = ["in", "since", "by", "during", "until", "from", "of", "before", "after", "through"]

    /// English forms after the Arabic number `number`; returns the end, or nil.
    mutating func englishTail(_ number: NumberToken) -> Int? {
        let n = t.count
        let s = number.start
        let e = number.end
        if s > 0, Scalars.isASCIILetter(t[s - 1]) { return nil }  // G20
        // Currency before the number: ¥ ￥ CNY RMB.
        var currencyStart = -1
        if s >= 1, t[s - 1] == 0xA5 || t[s - 1] == 0xFFE5 {
            currencyStart = s - 1
        } else {
            let gap = s >= 1 && t[s - 1] == 0x20 ? 1 : 0
            if s - gap >= 3, s - gap - 3 == 0 || !Scalars.isASCIILetter(t[s - gap - 4]),
               wordIs(s - gap - 3, s - gap, "cny") || wordIs(s - gap - 3, s - gap, "rmb")
            {
                currencyStart = s - gap - 3
            }
        }
        // Scale after the number.
        var k = e
        var power = 0
        if k < n, t[k] == 0x20, let (wordEnd, p) = scaleWord(at: k + 1, abbreviations: false) {
            power = p
            k = wordEnd
        } else if currencyStart >= 0, let (wordEnd, p) = scaleWord(at: k, abbreviations: true) {
            power = p
            k = wordEnd
        }
        // Currency after: yuan, renminbi, RMB, CNY.
        var end = -1
        if currencyStart >= 0 {
            end = k
        } else if k < n, t[k] == 0x20, let wordEnd = latinWordEnd(k + 1),
                  wordIs(k + 1, wordEnd, "yuan") || wordIs(k + 1, wordEnd, "renminbi") || wordIs(k + 1, wordEnd, "rmb") || wordIs(k + 1, wordEnd, "cny")
        {
            end = wordEnd
        }
        if end > 0 {
            let begin = currencyStart >= 0 ? currencyStart : s
            let prefix = englishApproximation(before: begin)
            let value = number.value.scaled(by: power).double
            if NewsAmount<TextSpan>.isPlausible(value) {
                amounts.append(NewsAmount(text: TextSpan(prefix.start, end), valueCNY: value,
                                          approximate: prefix.approximate, offset: prefix.start))
            }
            return end
        }
        if e < n, Scalars.isASCIILetter(t[e]) { return nil }  // 5G, 3D
        // Percent.
        if e + 1 < n, t[e] == 0x20 || t[e] == 0x2D, let wordEnd = latinWordEnd(e + 1) {
            if wordIs(e + 1, wordEnd, "percent") {
                percents.append(NewsPercent(text: TextSpan(s, wordEnd), value: number.value.double))
                return wordEnd
            }
            if wordIs(e + 1, wordEnd, "per"), wordEnd + 4 <= n, t[wordEnd] == 0x20, let centEnd = latinWordEnd(wordEnd + 1),
               wordIs(wordEnd + 1, centEnd, "cent")
            {
                percents.append(NewsPercent(text: TextSpan(s, centEnd), value: number.value.double))
                return centEnd
            }
        }
        if number.isPlainInteger, let end = englishDate(dayNumber: number) { return end }
        // A bare year after a preposition: in 2023.
        if number.isPlainInteger, number.integerDigits == 4, let year = number.value.integer, (1900...2100).contains(year) {
            if s >= 2, t[s - 1] == 0x20, let wordStart = latinWordStart(endingAt: s - 1),
               Self.yearPrepositions.contains(where: { wordIs(wordStart, s - 1, $0) }), e >= n || !Scalars.isDigit(t[e])
            {
                dates.append(PendingDate(text: TextSpan(s, e), year: year, month: nil, day: nil, precision: .year))
                return e
            }
            return nil  // a year is never a count
        }
        // A counted noun: 723 patients, 12 million people.
        if k + 1 < n, t[k] == 0x20, let nounEnd = latinWordEnd(k + 1), nounEnd - (k + 1) >= 2, !Scalars.isASCIIUpper(t[k + 1]) {
            let noun = text.lowercasedString(k + 1, nounEnd)
            guard !Self.notNouns.contains(noun), (NewsLexicon.trie.longestMatch(t, at: k + 1)?.value.month ?? 0) == 0 else { return nil }
            let prefix = englishApproximation(before: s)
            quantities.append(NewsQuantity(text: TextSpan(prefix.start, nounEnd), value: number.value.scaled(by: power).double,
                                           unit: noun, approximate: prefix.approximate))
            return nounEnd
        }
        return nil
    }

    /// `24 May 2023`, `24th May`: a day number, a month name and maybe a year.
    private mutating func englishDate(dayNumber number: NumberToken) -> Int? {
        guard number.integerDigits <= 2, let day = number.value.integer, (1...31).contains(day) else { return nil }
        var k = number.end
        let n = t.count
        if k + 1 < n, let suffixEnd = latinWordEnd(k), ["st", "nd", "rd", "th"].contains(where: { wordIs(k, suffixEnd, $0) }) { k = suffixEnd }
        guard k + 1 < n, t[k] == 0x20, Scalars.isASCIIUpper(t[k + 1]), let match = NewsLexicon.trie.longestMatch(t, at: k + 1),
              match.value.month > 0, match.end >= n || !Scalars.isASCIILetter(t[match.end]) else { return nil }
        let month = match.value.month
        var end = match.end
        if end < n, t[end] == 0x2E { end += 1 }
        var year: Int?
        if end + 1 < n, t[end] == 0x20 || t[end] == 0x2C, let y = yearAfter(end) {
            year = y.year
            end = y.end
        }
        if let year, CalendarDate.make(year: year, month: Int(month), day: day) == nil { return end }
        guard day <= CalendarDate.daysIn(month: Int(month), year: 2024) else { return end }
        dates.append(PendingDate(text: TextSpan(number.start, end), year: year, month: Int(month), day: day, precision: .day))
        return end
    }

    /// `May 24, 2023`, `May 24`, `May 2023`, `early May 2023`, `mid-May`: a capitalised month
    /// name followed by a day or a year; returns the end, or nil.
    mutating func englishDate(monthStart: Int, monthEnd: Int, month: Int) -> Int? {
        guard Scalars.isASCIIUpper(t[monthStart]) else { return nil }
        let n = t.count
        var k = monthEnd
        if k < n, t[k] == 0x2E { k += 1 }  // Jan.
        // Part of the month before the name.
        var start = monthStart
        var part = false
        if monthStart >= 2, t[monthStart - 1] == 0x20 || t[monthStart - 1] == 0x2D, let w = latinWordStart(endingAt: monthStart - 1),
           wordIs(w, monthStart - 1, "early") || wordIs(w, monthStart - 1, "mid") || wordIs(w, monthStart - 1, "late")
        {
            start = w
            part = true
        }
        guard k + 1 < n, t[k] == 0x20 else { return nil }
        if let day = NumberReader.arabic(t, at: k + 1), day.isPlainInteger, day.integerDigits <= 2, let d = day.value.integer,
           (1...31).contains(d), day.end >= n || !Scalars.isDigit(t[day.end])
        {
            var end = day.end
            if let suffixEnd = latinWordEnd(end), ["st", "nd", "rd", "th"].contains(where: { wordIs(end, suffixEnd, $0) }) { end = suffixEnd }
            var year: Int?
            if end + 1 < n, t[end] == 0x2C || t[end] == 0x20, let y = yearAfter(end) {
                year = y.year
                end = y.end
            }
            if let year, CalendarDate.make(year: year, month: month, day: d) == nil { return end }
            guard d <= CalendarDate.daysIn(month: month, year: 2024) else { return end }
            dates.append(PendingDate(text: TextSpan(monthStart, end), year: year, month: month, day: d, precision: .day))
            return end
        }
        if let y = yearAfter(k) {
            dates.append(PendingDate(text: TextSpan(start, y.end), year: y.year, month: month, day: nil,
                                     precision: part ? .partOfMonth : .month))
            return y.end
        }
        return nil
    }

    /// A four-digit year (1900–2100) after `k`, skipping one comma and spaces.
    private func yearAfter(_ k: Int) -> (year: Int, end: Int)? {
        var j = k
        if j < t.count, t[j] == 0x2C { j += 1 }
        while j < t.count, t[j] == 0x20 { j += 1 }
        guard j > k, let number = NumberReader.arabic(t, at: j), number.isPlainInteger, number.integerDigits == 4,
              let year = number.value.integer, (1900...2100).contains(year),
              number.end >= t.count || !(Scalars.isASCIILetter(t[number.end]) || Scalars.isDigit(t[number.end]))
        else { return nil }
        return (year, number.end)
    }

    /// A scale word (million …) or, with `abbreviations`, also m, mn, bn, k, b, at `k`.
    private func scaleWord(at k: Int, abbreviations: Bool) -> (end: Int, power: Int)? {
        guard let end = latinWordEnd(k) else { return nil }
        for (word, power) in Self.scaleWords where wordIs(k, end, word) { return (end, power) }
        if abbreviations { for (word, power) in Self.scaleAbbreviations where wordIs(k, end, word) { return (end, power) } }
        return nil
    }

    /// Where an English mention really starts: before an approximation word (about, more than …).
    private func englishApproximation(before s: Int) -> (start: Int, approximate: Bool) {
        guard s >= 2, t[s - 1] == 0x20 else { return (s, false) }
        for phrase in Self.approximationWords {
            let length = phrase.utf8.count
            let start = s - 1 - length
            guard start >= 0, start == 0 || !Scalars.isASCIILetter(t[start - 1]), wordIs(start, s - 1, phrase) else { continue }
            return (start, true)
        }
        return (s, false)
    }

    /// The end of the run of Latin letters starting at `k`, or nil when there is none.
    func latinWordEnd(_ k: Int) -> Int? {
        var j = k
        while j < t.count, Scalars.isASCIILetter(t[j]) { j += 1 }
        return j > k ? j : nil
    }

    /// The start of the run of Latin letters ending at `end`, or nil.
    func latinWordStart(endingAt end: Int) -> Int? {
        var j = end
        while j > 0, Scalars.isASCIILetter(t[j - 1]) { j -= 1 }
        return j < end ? j : nil
    }

    /// True when scalars `start..<end` spell `word` (ASCII, compared without case).
    func wordIs(_ start: Int, _ end: Int, _ word: String) -> Bool {
        guard end - start == word.utf8.count else { return false }
        var i = start
        for b in word.utf8 {
            guard Scalars.folded(t[i]) == UInt32(b) else { return false }
            i += 1
        }
        return true
    }
}
