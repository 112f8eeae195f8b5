import KarezProtocol

/// The Chinese forms a number starts: money (1000多万元, 人民币5,000万元, 三千万元), dates
/// (2023年5月24日, 2023年8月中旬, 1月4日, 二〇二三年五月), quantities (19名, 700余人次, 近10万吨),
/// percentages (80%), and XPCC units (十二师, 二二一团).
extension NewsScanner {
    // Scalars the grammar refers to.
    static let yuan: UInt32 = 0x5143          // 元
    static let nian: UInt32 = 0x5E74          // 年
    static let yue: UInt32 = 0x6708           // 月
    static let ri: UInt32 = 0x65E5            // 日
    static let hao: UInt32 = 0x53F7           // 号
    static let duo: UInt32 = 0x591A           // 多
    static let yu: UInt32 = 0x4F59            // 余
    static let di: UInt32 = 0x7B2C            // 第

    /// A mention starting with the Arabic number at `i`; returns its end, or nil.
    mutating func arabicMention(at i: Int) -> Int? {
        guard let number = NumberReader.arabic(t, at: i) else { return nil }
        if number.isPlainInteger, let end = arabicDate(number) { return end }
        if let end = chineseTail(number, arabic: true) { return end }
        return englishTail(number)
    }

    /// A mention starting with the Chinese numeral at `i`; returns its end, or nil (the caller then
    /// looks the lexicon up, for 四川, 十堰 and the like).
    mutating func chineseNumeralMention(at i: Int) -> Int? {
        guard let number = NumberReader.chinese(t, at: i), number.end < t.count else { return nil }
        let next = t[number.end]
        if next == Self.nian, number.integerDigits == 4, let year = number.value.integer, (1900...2100).contains(year) {
            return yearDate(start: i, year: year, after: number.end + 1)
        }
        if next == Self.yue, let month = monthDay(at: i), month.day != nil {
            if month.valid {
                dates.append(PendingDate(text: TextSpan(i, month.end), year: nil, month: month.month, day: month.day, precision: .day))
            }
            return month.end
        }
        if let end = unit(number, next: next) { return end }
        return chineseTail(number, arabic: false)
    }

    /// An XPCC division or regiment written with a number: 十二师, 二二一团, 第一师, 221团.
    private mutating func unit(_ number: NumberToken, next: UInt32) -> Int? {
        guard next == 0x5E08 || next == 0x56E2 else { return nil }  // 师 团
        let ordinal = number.start > 0 && t[number.start - 1] == Self.di
        guard ordinal || number.end - number.start >= 2 else { return nil }
        let start = ordinal ? number.start - 1 : number.start
        units.append(TextSpan(start, number.end + 1))
        anchors.append(TextSpan(start, number.end + 1))
        return number.end + 1
    }

    /// Dates that start with an Arabic number: 2023年…, 5月…, 2023-05-24, 2023/5/24.
    private mutating func arabicDate(_ number: NumberToken) -> Int? {
        let j = number.end
        guard j < t.count, let value = number.value.integer else { return nil }
        let next = t[j]
        if next == Self.nian, number.integerDigits == 4, (1900...2100).contains(value) {
            return yearDate(start: number.start, year: value, after: j + 1)
        }
        if next == Self.yue, number.integerDigits <= 2, (1...12).contains(value), let month = monthDay(at: number.start) {
            if month.valid {
                dates.append(PendingDate(text: TextSpan(number.start, month.end), year: nil, month: month.month, day: month.day,
                                         precision: month.precision))
            }
            return month.end
        }
        if number.integerDigits == 4, next == 0x2D || next == 0x2F, let end = isoDate(year: value, start: number.start, separator: next) {
            return end
        }
        return nil
    }

    /// After `2023年`: a month and day, a month and part of it, or the year alone (with 度, 初,
    /// 底 or 末 kept in the text).
    private mutating func yearDate(start: Int, year: Int, after k: Int) -> Int {
        if let month = monthDay(at: k) {
            if !month.valid { return month.end }
            if let day = month.day, CalendarDate.make(year: year, month: month.month, day: day) == nil { return month.end }
            dates.append(PendingDate(text: TextSpan(start, month.end), year: year, month: month.month, day: month.day,
                                     precision: month.precision))
            return month.end
        }
        var end = k
        if end < t.count, t[end] == 0x5EA6 || t[end] == 0x521D || t[end] == 0x5E95 || t[end] == 0x672B { end += 1 }  // 度 初 底 末
        dates.append(PendingDate(text: TextSpan(start, end), year: year, month: nil, day: nil, precision: .year))
        return end
    }

    /// `M月[份]` then `D日`/`D号`, or a part of the month (上旬, 中旬, 下旬, 初, 底, 末), at `k`.
    /// Month and day may be Arabic or Chinese numerals. A day the month never has (2月30日) is
    /// read, so that it is skipped as a whole, but marked not `valid`.
    private func monthDay(at k: Int) -> (month: Int, day: Int?, precision: DatePrecision, end: Int, valid: Bool)? {
        guard let m = smallNumber(at: k, max: 12), m.end < t.count, t[m.end] == Self.yue else { return nil }
        var end = m.end + 1
        let n = t.count
        if end < n, t[end] == 0x4EFD { end += 1 }  // 月份
        if let d = smallNumber(at: end, max: 31), d.end < n, t[d.end] == Self.ri || t[d.end] == Self.hao {
            return (m.value, d.value, .day, d.end + 1, d.value <= CalendarDate.daysIn(month: m.value, year: 2024))
        }
        if end + 1 < n, t[end + 1] == 0x65EC, t[end] == 0x4E0A || t[end] == 0x4E2D || t[end] == 0x4E0B {  // 上旬 中旬 下旬
            return (m.value, nil, .partOfMonth, end + 2, true)
        }
        if end < n, t[end] == 0x521D || t[end] == 0x5E95 || t[end] == 0x672B {  // 初 底 末
            return (m.value, nil, .partOfMonth, end + 1, true)
        }
        return (m.value, nil, .month, end, true)
    }

    /// A whole number from 1 to `max` at `k`, in one or two Arabic digits or in Chinese numerals.
    private func smallNumber(at k: Int, max: Int) -> (value: Int, end: Int)? {
        guard k < t.count else { return nil }
        let number: NumberToken?
        if Scalars.isDigit(t[k]) {
            number = NumberReader.arabic(t, at: k).flatMap { $0.isPlainInteger && $0.integerDigits <= 2 ? $0 : nil }
        } else {
            number = NumberReader.chinese(t, at: k)
        }
        guard let number, let value = number.value.integer, (1...max).contains(value) else { return nil }
        return (value, number.end)
    }

    /// `2023-05-24` or `2023/5/24` (month and day of one or two digits, then no further digit).
    private mutating func isoDate(year: Int, start: Int, separator: UInt32) -> Int? {
        let n = t.count
        var k = start + 4
        var parts: [Int] = []
        for _ in 0..<2 {
            guard k < n, t[k] == separator, let part = NumberReader.arabic(t, at: k + 1), part.isPlainInteger,
                  part.integerDigits <= 2, let value = part.value.integer else { return nil }
            parts.append(value)
            k = part.end
        }
        guard k >= n || !Scalars.isDigit(t[k]), CalendarDate.make(year: year, month: parts[0], day: parts[1]) != nil else { return nil }
        dates.append(PendingDate(text: TextSpan(start, k), year: year, month: parts[0], day: parts[1], precision: .day))
        return k
    }

    /// What follows a number in Chinese: `%`, or [多|余|几] magnitudes (万, 亿, 千, 百) [多|余|几] and
    /// then 元/人民币 (money), a foreign currency (skipped), or a measure word (a quantity, Arabic
    /// only). After 人民币, a number with a magnitude is money without 元 too (人民币5000万).
    private mutating func chineseTail(_ number: NumberToken, arabic: Bool) -> Int? {
        let n = t.count
        var k = number.end
        guard k < n else { return nil }
        if t[k] == 0x25 || t[k] == 0xFF05 {  // % ％
            guard arabic else { return nil }
            percents.append(NewsPercent(text: TextSpan(number.start, k + 1), value: number.value.double))
            return k + 1
        }
        var approximate = false
        var power = 0
        var unit = arabic ? QuantityUnits.trie.longestMatch(t, at: k) : nil
        if unit == nil {
            if Self.isMore(t[k]) { approximate = true; k += 1 }
            while k < n {
                let e = Scalars.chineseUnitExponent(t[k])
                guard e >= 2, QuantityUnits.trie.longestMatch(t, at: k) == nil else { break }
                power += e
                k += 1
            }
            if k < n, k > number.end, Self.isMore(t[k]) { approximate = true; k += 1 }
        }
        // Money.
        var currencyEnd = -1
        if k < n, t[k] == Self.yuan {
            currencyEnd = k + 1
        } else if k + 2 < n, t[k] == 0x4EBA, t[k + 1] == 0x6C11, t[k + 2] == 0x5E01 {  // 人民币
            currencyEnd = k + 3
        } else if k + 1 < n, t[k + 1] == Self.yuan || t[k + 1] == 0x5E01 || t[k + 1] == 0x9551,  // X元 X币 X镑
                  Self.foreignCurrencyInitials.contains(t[k])
        {
            return k + 2  // a foreign currency: neither yuan nor a quantity
        } else if power > 0, number.start >= 3, t[number.start - 3] == 0x4EBA, t[number.start - 2] == 0x6C11, t[number.start - 1] == 0x5E01 {
            currencyEnd = k  // 人民币5000万
        }
        // In Chinese numerals, less than 100 yuan is a word more often than money (一元化, 三元).
        if currencyEnd > 0, arabic || number.value.scaled(by: power).double >= 100 {
            var end = currencyEnd
            if end + 1 < n, t[end] == 0x5DE6, t[end + 1] == 0x53F3 { approximate = true; end += 2 }  // 左右
            let prefix = approximationPrefix(before: number.start, currency: true)
            let value = number.value.scaled(by: power).double
            if NewsAmount<TextSpan>.isPlausible(value) {
                amounts.append(NewsAmount(text: TextSpan(prefix.start, end), valueCNY: value,
                                          approximate: approximate || prefix.approximate, offset: prefix.start))
            }
            return end
        }
        // Quantity.
        guard arabic, k < n else { return nil }
        if unit == nil { unit = QuantityUnits.trie.longestMatch(t, at: k) }
        guard let unit else { return nil }
        var end = unit.end
        if end + 1 < n, t[end] == 0x5DE6, t[end + 1] == 0x53F3 { approximate = true; end += 2 }  // 左右
        let prefix = approximationPrefix(before: number.start, currency: false)
        quantities.append(NewsQuantity(text: TextSpan(prefix.start, end), value: number.value.scaled(by: power).double,
                                       unit: QuantityUnits.all[Int(unit.value)], approximate: approximate || prefix.approximate))
        return end
    }

    /// First scalars of words ending in 约 that do not mean "about" (签约, 合约, 节约, 制约 …).
    static let wordsEndingInYue = ScalarSet("签合预公条契节制相邀履违特赴守失婚践")

    /// 多, 余 or 几 after a number or magnitude: "more than".
    @inline(__always) static func isMore(_ u: UInt32) -> Bool { u == duo || u == yu || u == 0x51E0 }

    /// First scalars of foreign currencies written 美元, 欧元, 港元, 日元, 英镑, 港币, 韩元, 卢布 (卢 + 布 is
    /// not caught; it is rare in this corpus).
    static let foreignCurrencyInitials = ScalarSet("美欧港日英韩澳加台新")

    /// Where a Chinese amount or quantity really starts: before 人民币 (amounts) and an
    /// approximation word (约, 近, 逾, 超, 数, 大约, 将近, 接近, 超过), if they are right before the number.
    private func approximationPrefix(before s: Int, currency: Bool) -> (start: Int, approximate: Bool) {
        var p = s
        if currency, p >= 3, t[p - 3] == 0x4EBA, t[p - 2] == 0x6C11, t[p - 1] == 0x5E01 { p -= 3 }  // 人民币
        if p >= 2 {
            let a = t[p - 2], b = t[p - 1]
            if (a == 0x5927 && b == 0x7EA6) || (a == 0x5C06 && b == 0x8FD1) || (a == 0x63A5 && b == 0x8FD1) || (a == 0x8D85 && b == 0x8FC7) {
                return (p - 2, true)  // 大约 将近 接近 超过
            }
        }
        if p >= 1 {
            let b = t[p - 1]
            let before: UInt32 = p >= 2 ? t[p - 2] : 0
            switch b {
            case 0x7EA6 where !Self.wordsEndingInYue.contains(before): return (p - 1, true)  // 约, not 签约 节约 …
            case 0x8FD1 where before != 0x6700 && before != 0x9644: return (p - 1, true)  // 近, not 最近 附近
            case 0x903E: return (p - 1, true)                                        // 逾
            case 0x6570: return (p - 1, true)                                        // 数 (数十亿元)
            case 0x8D85 where before != 0x8D76: return (p - 1, true)                 // 超, not 赶超
            default: break
            }
        }
        return (p, false)
    }

    /// 百分之八十 (80), 百分之12.5, 百分之百 (100), with 百分之 at `start..<after`.
    mutating func percentInWords(start: Int, after k: Int) -> Int? {
        guard k < t.count else { return nil }
        if t[k] == 0x767E {  // 百分之百
            percents.append(NewsPercent(text: TextSpan(start, k + 1), value: 100))
            return k + 1
        }
        let number = Scalars.isDigit(t[k]) ? NumberReader.arabic(t, at: k) : NumberReader.chinese(t, at: k)
        guard let number else { return nil }
        percents.append(NewsPercent(text: TextSpan(start, number.end), value: number.value.double))
        return number.end
    }
}
