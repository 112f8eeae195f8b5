/// A number found in text and where it lies (scalar offsets, `end` exclusive).
struct NumberToken: Sendable, Equatable {
    var value: DecimalNumber
    var start: Int
    var end: Int
    /// Digits before any decimal point (grouping commas not counted).
    var integerDigits: Int
    /// True when written without decimal point or grouping commas (`2023`, not `2,023` or `20.5`).
    var isPlainInteger: Bool
}

/// Reads numbers at a given position: Arabic numerals (ASCII or full-width digits, `5,000`
/// grouping, `.` or `．` decimals) and Chinese numerals (`三千万`, `两百`, `十二点五`, and the
/// digit-by-digit form `二〇二三`, `二二一`).
enum NumberReader {
    /// The Arabic number starting at `i`, or nil when `t[i]` is not a digit or the number has more
    /// than 18 significant digits.
    static func arabic(_ t: UnsafeBufferPointer<UInt32>, at i: Int) -> NumberToken? {
        let n = t.count
        var j = i
        var m: Int64 = 0
        var digits = 0
        while j < n {
            let d = Scalars.digit(t[j])
            guard d >= 0 else { break }
            guard digits < 18 else { return nil }
            m = m * 10 + Int64(d)
            digits += 1
            j += 1
        }
        guard digits > 0 else { return nil }
        var plain = true
        // Thousands grouping: 1-3 digits, then groups of ",ddd" not followed by another digit.
        if digits <= 3 {
            while j + 3 < n, t[j] == 0x2C, Scalars.isDigit(t[j + 1]), Scalars.isDigit(t[j + 2]), Scalars.isDigit(t[j + 3]),
                  j + 4 >= n || !Scalars.isDigit(t[j + 4]), digits + 3 <= 18
            {
                for k in 1...3 { m = m * 10 + Int64(Scalars.digit(t[j + k])) }
                digits += 3
                j += 4
                plain = false
            }
        }
        let integerDigits = digits
        var exponent = 0
        if j + 1 < n, t[j] == 0x2E || t[j] == 0xFF0E, Scalars.isDigit(t[j + 1]) {
            j += 1
            while j < n {
                let d = Scalars.digit(t[j])
                guard d >= 0 else { break }
                if digits < 18 {
                    m = m * 10 + Int64(d)
                    digits += 1
                    exponent -= 1
                }
                j += 1
            }
            plain = false
        }
        return NumberToken(value: DecimalNumber(mantissa: m, exponent: exponent), start: i, end: j,
                           integerDigits: integerDigits, isPlainInteger: plain)
    }

    /// The Chinese numeral starting at `i`, or nil when there is none. It must start with a digit
    /// (一 … 九, 两, 〇, 零) or 十; it stops before a scalar that would make it ill-formed, so in
    /// `三千多万` it reads `三千`. A run of bare digits (`二〇二三`) is read digit by digit and reports
    /// its digit count as `integerDigits`; otherwise `integerDigits` is 0.
    static func chinese(_ t: UnsafeBufferPointer<UInt32>, at i: Int) -> NumberToken? {
        let n = t.count
        guard i < n, Scalars.startsChineseNumber(t[i]) else { return nil }
        // Digit-by-digit form: two or more digits and no unit.
        var j = i
        var positional: Int64 = 0
        while j < n, j - i < 18 {
            let d = Scalars.chineseDigit(t[j])
            guard d >= 0, t[j] != 0x4E24 else { break }  // 两 is never a positional digit
            positional = positional * 10 + Int64(d)
            j += 1
        }
        if j - i >= 2, j >= n || Scalars.chineseUnitExponent(t[j]) == 0 {
            return NumberToken(value: DecimalNumber(mantissa: positional), start: i, end: j, integerDigits: j - i, isPlainInteger: true)
        }
        // Grouped form with units.
        var yi: Int64 = 0, wan: Int64 = 0, section: Int64 = 0, number: Int64 = 0
        var lastWasDigit = false
        var lastUnit = 100  // the last small unit's exponent; a smaller one must follow
        j = i
        var end = i
        while j < n {
            let u = t[j]
            let d = Scalars.chineseDigit(u)
            if d >= 0 {
                if lastWasDigit && number != 0 { break }  // 二三 inside a grouped numeral: stop
                number = Int64(d)
                lastWasDigit = true
                j += 1
                if d != 0 { end = j }
                continue
            }
            let e = Scalars.chineseUnitExponent(u)
            guard e > 0 else { break }
            if e < 4 {
                guard e < lastUnit else { break }
                if number == 0 && !(e == 1 && section == 0 && !lastWasDigit) { break }  // 十 may stand alone at the start only
                section += (number == 0 ? 1 : number) * pow10(e)
                lastUnit = e
            } else if e == 4 {
                guard section + number > 0, wan == 0 else { break }
                wan = (section + number) * 10_000
                section = 0
                lastUnit = 4
            } else {
                let part = wan + section + number
                guard part > 0, yi == 0, part < 100_000_000 else { break }
                yi = part * 100_000_000
                wan = 0
                section = 0
                lastUnit = 100
            }
            number = 0
            lastWasDigit = false
            j += 1
            end = j
        }
        guard end > i else { return nil }
        let whole = yi + wan + section + number
        // Decimal part: 点 and digits (十二点五).
        if end < n, t[end] == 0x70B9, end + 1 < n, Scalars.chineseDigit(t[end + 1]) >= 0, yi == 0, wan == 0 {
            var m = whole
            var k = end + 1
            var exponent = 0
            while k < n, Scalars.chineseDigit(t[k]) >= 0, exponent > -6 {
                m = m * 10 + Int64(Scalars.chineseDigit(t[k]))
                exponent -= 1
                k += 1
            }
            return NumberToken(value: DecimalNumber(mantissa: m, exponent: exponent), start: i, end: k, integerDigits: 0, isPlainInteger: false)
        }
        return NumberToken(value: DecimalNumber(mantissa: whole), start: i, end: end, integerDigits: 0, isPlainInteger: true)
    }

    @inline(__always) private static func pow10(_ e: Int) -> Int64 {
        switch e {
        case 1: 10
        case 2: 100
        default: 1000
        }
    }
}
