/// Reads a written amount of yuan such as `"1.5亿元"`, `"3200万元"`, `"1000多万元"`, `"5,000万元"`,
/// `"约人民币150万元"` or `"近2亿元"`.
///
/// The grammar, over Unicode scalars (ASCII and full-width digits, commas and points alike):
///
///     amount  = prefix* number [多|余] unit* [多|余] 元
///     prefix  = 约 | 大约 | 近 | 逾 | 超 | 超过 | 人民币
///     number  = digits (, 3 digits)* [. digits]
///     unit    = 十 | 百 | 千 | 万 | 亿   (multiplied: 千万 = 10^7, 万亿 = 10^12)
///
/// `approximate` is true for 约, 大约, 近, 逾, 超, 超过, 多 and 余 ("1000多万元" is at least 10 000 000
/// and is given as that). White space around the amount is ignored.
public enum AmountText {
    /// The amount in yuan and whether the text marks it as approximate; nil when the text is not
    /// an amount of the grammar above.
    public static func yuan(_ text: String) -> (value: Double, approximate: Bool)? {
        var s = Scanner(Array(text.unicodeScalars))
        s.skipSpace()
        var approximate = false
        prefixes: while true {
            for (word, approx) in prefixWords where s.take(word) {
                approximate = approximate || approx
                continue prefixes
            }
            break
        }
        guard let (mantissa, decimals) = s.number() else { return nil }
        if s.take("多") || s.take("余") { approximate = true }
        var multiplier = 1.0
        while let m = s.unit() { multiplier *= m }
        if s.take("多") || s.take("余") { approximate = true }
        guard s.take("元") else { return nil }
        s.skipSpace()
        guard s.atEnd else { return nil }
        var divisor = 1.0
        for _ in 0..<decimals { divisor *= 10 }
        // One rounding only: mantissa and multiplier are exact, the division rounds once.
        return (Double(mantissa) * multiplier / divisor, approximate)
    }

    /// Prefix words and whether each makes the amount approximate; longer words first.
    static let prefixWords: [(String, Bool)] = [("人民币", false), ("大约", true), ("超过", true), ("约", true), ("近", true),
                                                ("逾", true), ("超", true)]

    /// A cursor over the scalars of an amount.
    struct Scanner {
        let u: [Unicode.Scalar]
        var i = 0

        init(_ u: [Unicode.Scalar]) { self.u = u }

        var atEnd: Bool { i == u.count }

        mutating func skipSpace() {
            while i < u.count, u[i].properties.isWhitespace { i += 1 }
        }

        /// Consumes `word` when the text continues with it.
        mutating func take(_ word: String) -> Bool {
            var j = i
            for c in word.unicodeScalars {
                guard j < u.count, u[j] == c else { return false }
                j += 1
            }
            i = j
            return true
        }

        /// The value of an ASCII or full-width digit at `j`.
        func digit(at j: Int) -> Int? {
            guard j < u.count else { return nil }
            let v = u[j].value
            if v >= 0x30 && v <= 0x39 { return Int(v - 0x30) }
            if v >= 0xFF10 && v <= 0xFF19 { return Int(v - 0xFF10) }
            return nil
        }

        func isComma(_ j: Int) -> Bool { j < u.count && (u[j] == "," || u[j] == "，") }
        func isPoint(_ j: Int) -> Bool { j < u.count && (u[j] == "." || u[j] == "．") }

        /// Digits with optional 3-digit groups and a fraction: the digits as one integer and the
        /// number of fraction digits. Nil without a leading digit or beyond 18 significant digits.
        mutating func number() -> (Int, Int)? {
            guard digit(at: i) != nil else { return nil }
            var mantissa = 0
            var count = 0
            func add(_ d: Int) -> Bool {
                count += 1
                guard count <= 18 else { return false }
                mantissa = mantissa * 10 + d
                return true
            }
            while let d = digit(at: i) { guard add(d) else { return nil }; i += 1 }
            while isComma(i), digit(at: i + 1) != nil, digit(at: i + 2) != nil, digit(at: i + 3) != nil, digit(at: i + 4) == nil {
                for k in 1...3 { guard add(digit(at: i + k)!) else { return nil } }
                i += 4
            }
            var decimals = 0
            if isPoint(i), digit(at: i + 1) != nil {
                i += 1
                while let d = digit(at: i) { guard add(d) else { return nil }; decimals += 1; i += 1 }
            }
            return (mantissa, decimals)
        }

        /// One multiplier character (十 百 千 万 亿) and its value.
        mutating func unit() -> Double? {
            guard i < u.count else { return nil }
            let m: Double
            switch u[i] {
            case "十": m = 10
            case "百": m = 100
            case "千": m = 1_000
            case "万": m = 10_000
            case "亿": m = 100_000_000
            default: return nil
            }
            i += 1
            return m
        }
    }
}
