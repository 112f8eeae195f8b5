/// Reads a written amount of yuan such as `"1.5亿元"`, `"3200万元"`, `"1000多万元"`, `"5,000万元"`,
/// `"约人民币150万元"` or `"近2亿元"`.
///
/// The grammar (ASCII and full-width digits, commas and points alike):
///
///     amount  = prefix* number [多|余] unit* [多|余] 元
///     prefix  = 约 | 大约 | 近 | 逾 | 超 | 超过 | 人民币
///     number  = digits (, 3 digits)* [. digits]
///     unit    = 十 | 百 | 千 | 万 | 亿   (multiplied: 千万 = 10^7, 万亿 = 10^12)
///
/// `approximate` is true for 约, 大约, 近, 逾, 超, 超过, 多 and 余 ("1000多万元" is at least 10 000 000
/// and is given as that). White space around the amount is ignored. The scanner works on the
/// UTF-8 bytes in place and allocates nothing.
public enum AmountText {
    /// The amount in yuan and whether the text marks it as approximate; nil when the text is not
    /// an amount of the grammar above.
    public static func yuan(_ text: String) -> (value: Double, approximate: Bool)? {
        var text = text
        return text.withUTF8 { bytes in
            var s = Scanner(u: bytes)
            return s.amount()
        }
    }

    /// Prefix words and whether each makes the amount approximate; longer words first.
    static let prefixWords: [([UInt8], Bool)] = [("人民币", false), ("大约", true), ("超过", true), ("约", true), ("近", true),
                                                 ("逾", true), ("超", true)].map { (Array($0.0.utf8), $0.1) }
    static let duo = Array("多".utf8), yu = Array("余".utf8), yuanSign = Array("元".utf8)
    /// Unit characters and their multipliers.
    static let units: [([UInt8], Double)] = [("十", 10), ("百", 100), ("千", 1_000), ("万", 10_000), ("亿", 100_000_000)]
        .map { (Array($0.0.utf8), $0.1) }

    /// A cursor over the UTF-8 bytes of an amount.
    struct Scanner {
        let u: UnsafeBufferPointer<UInt8>
        var i = 0

        mutating func amount() -> (value: Double, approximate: Bool)? {
            skipSpace()
            var approximate = false
            prefixes: while true {
                for (word, approx) in AmountText.prefixWords where take(word) {
                    approximate = approximate || approx
                    continue prefixes
                }
                break
            }
            guard let (mantissa, decimals) = number() else { return nil }
            if take(AmountText.duo) || take(AmountText.yu) { approximate = true }
            var multiplier = 1.0
            while let m = unit() { multiplier *= m }
            if take(AmountText.duo) || take(AmountText.yu) { approximate = true }
            guard take(AmountText.yuanSign) else { return nil }
            skipSpace()
            guard i == u.count else { return nil }
            var divisor = 1.0
            for _ in 0..<decimals { divisor *= 10 }
            // One rounding only: mantissa and multiplier are exact, the division rounds once.
            return (Double(mantissa) * multiplier / divisor, approximate)
        }

        /// ASCII white space, no-break space and the ideographic space.
        mutating func skipSpace() {
            while i < u.count {
                let b = u[i]
                if b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D { i += 1 }
                else if b == 0xC2, i + 1 < u.count, u[i + 1] == 0xA0 { i += 2 }
                else if b == 0xE3, i + 2 < u.count, u[i + 1] == 0x80, u[i + 2] == 0x80 { i += 3 }
                else { return }
            }
        }

        /// Consumes `word` when the text continues with it.
        mutating func take(_ word: [UInt8]) -> Bool {
            guard i + word.count <= u.count else { return false }
            for k in 0..<word.count where u[i + k] != word[k] { return false }
            i += word.count
            return true
        }

        /// An ASCII digit or a full-width one (U+FF10–FF19, `EF BC 90`–`99`) at `j`: its value and length.
        func digit(at j: Int) -> (Int, Int)? {
            guard j < u.count else { return nil }
            let b = u[j]
            if b >= 0x30 && b <= 0x39 { return (Int(b - 0x30), 1) }
            if b == 0xEF, j + 2 < u.count, u[j + 1] == 0xBC, u[j + 2] >= 0x90, u[j + 2] <= 0x99 { return (Int(u[j + 2] - 0x90), 3) }
            return nil
        }

        /// The length of a full-width (`EF BC <last>`) or ASCII (`ascii`) mark at `j`, 0 when absent.
        func mark(at j: Int, ascii: UInt8, last: UInt8) -> Int {
            guard j < u.count else { return 0 }
            if u[j] == ascii { return 1 }
            if u[j] == 0xEF, j + 2 < u.count, u[j + 1] == 0xBC, u[j + 2] == last { return 3 }
            return 0
        }

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
            while let (d, n) = digit(at: i) { guard add(d) else { return nil }; i += n }
            groups: while true {
                let comma = mark(at: i, ascii: UInt8(ascii: ","), last: 0x8C)
                guard comma > 0 else { break }
                var j = i + comma
                var group = 0
                for _ in 0..<3 {
                    guard let (d, n) = digit(at: j) else { break groups }
                    group = group * 10 + d
                    j += n
                }
                guard digit(at: j) == nil else { break }
                count += 3
                guard count <= 18 else { return nil }
                mantissa = mantissa * 1_000 + group
                i = j
            }
            var decimals = 0
            let point = mark(at: i, ascii: UInt8(ascii: "."), last: 0x8E)
            if point > 0, digit(at: i + point) != nil {
                i += point
                while let (d, n) = digit(at: i) { guard add(d) else { return nil }; decimals += 1; i += n }
            }
            return (mantissa, decimals)
        }

        /// One multiplier character (十 百 千 万 亿) and its value.
        mutating func unit() -> Double? {
            for (word, m) in AmountText.units where take(word) { return m }
            return nil
        }
    }
}
