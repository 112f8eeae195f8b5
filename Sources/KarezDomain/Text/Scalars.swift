/// Classification of Unicode scalars, held as `UInt32`, for the hand-written text scanners.
///
/// Every test is a few comparisons: no tables, no `Character`, no allocation.
enum Scalars {
    /// CJK unified ideographs (BMP blocks, compatibility block and the supplementary planes), plus
    /// 〇 (U+3007), which Chinese numerals use as a digit.
    @inline(__always) static func isCJK(_ u: UInt32) -> Bool {
        (u >= 0x4E00 && u <= 0x9FFF) || (u >= 0x3400 && u <= 0x4DBF) || u == 0x3007
            || (u >= 0xF900 && u <= 0xFAFF) || (u >= 0x20000 && u <= 0x3134F)
    }

    /// The value of an ASCII digit `0`–`9` or a full-width digit `０`–`９`, else -1.
    @inline(__always) static func digit(_ u: UInt32) -> Int {
        if u &- 0x30 < 10 { return Int(u &- 0x30) }
        if u &- 0xFF10 < 10 { return Int(u &- 0xFF10) }
        return -1
    }

    /// True for ASCII and full-width digits.
    @inline(__always) static func isDigit(_ u: UInt32) -> Bool { u &- 0x30 < 10 || u &- 0xFF10 < 10 }

    /// True for `A`–`Z` and `a`–`z`.
    @inline(__always) static func isASCIILetter(_ u: UInt32) -> Bool { (u | 0x20) &- 0x61 < 26 }

    /// True for `A`–`Z`.
    @inline(__always) static func isASCIIUpper(_ u: UInt32) -> Bool { u &- 0x41 < 26 }

    /// ASCII letters folded to lower case; every other scalar unchanged.
    @inline(__always) static func folded(_ u: UInt32) -> UInt32 { u &- 0x41 < 26 ? u | 0x20 : u }

    /// White space: ASCII, no-break space, the Unicode spaces, the ideographic space, BOM.
    @inline(__always) static func isSpace(_ u: UInt32) -> Bool {
        if u < 0x80 { return u == 0x20 || (u >= 0x09 && u <= 0x0D) }
        return u == 0xA0 || u == 0x3000 || u == 0xFEFF || u == 0x1680 || (u >= 0x2000 && u <= 0x200B)
            || u == 0x2028 || u == 0x2029 || u == 0x202F || u == 0x205F || u == 0x85
    }

    /// Line breaks: LF, CR, NEL, line and paragraph separators.
    @inline(__always) static func isLineBreak(_ u: UInt32) -> Bool {
        u == 0x0A || u == 0x0D || u == 0x85 || u == 0x2028 || u == 0x2029
    }

    /// Punctuation and symbols that separate words: ASCII punctuation, general punctuation,
    /// CJK symbols and punctuation (except 〇), full-width forms, middle dot.
    @inline(__always) static func isPunctuation(_ u: UInt32) -> Bool {
        if u < 0x80 {
            return (u >= 0x21 && u <= 0x2F) || (u >= 0x3A && u <= 0x40) || (u >= 0x5B && u <= 0x60) || (u >= 0x7B && u <= 0x7E)
        }
        return u == 0xB7 || (u >= 0x2010 && u <= 0x205E) || (u >= 0x3001 && u <= 0x303F && u != 0x3007)
            || (u >= 0xFF01 && u <= 0xFF0F) || (u >= 0xFF1A && u <= 0xFF20) || (u >= 0xFF3B && u <= 0xFF40)
            || (u >= 0xFF5B && u <= 0xFF65) || (u >= 0xFE10 && u <= 0xFE6F) || u == 0x30FB
    }

    /// The digit value of a Chinese numeral digit (〇零一二两三四五六七八九), else -1.
    @inline(__always) static func chineseDigit(_ u: UInt32) -> Int {
        switch u {
        case 0x3007, 0x96F6: 0   // 〇 零
        case 0x4E00: 1           // 一
        case 0x4E8C, 0x4E24: 2   // 二 两
        case 0x4E09: 3           // 三
        case 0x56DB: 4           // 四
        case 0x4E94: 5           // 五
        case 0x516D: 6           // 六
        case 0x4E03: 7           // 七
        case 0x516B: 8           // 八
        case 0x4E5D: 9           // 九
        default: -1
        }
    }

    /// True for a Chinese numeral digit or 十: the scalars a number written in Chinese starts with.
    @inline(__always) static func startsChineseNumber(_ u: UInt32) -> Bool { chineseDigit(u) >= 0 || u == 0x5341 }

    /// The power of ten of a Chinese numeral unit: 十 1, 百 2, 千 3, 万 4, 亿 8; else 0.
    @inline(__always) static func chineseUnitExponent(_ u: UInt32) -> Int {
        switch u {
        case 0x5341: 1  // 十
        case 0x767E: 2  // 百
        case 0x5343: 3  // 千
        case 0x4E07: 4  // 万
        case 0x4EBF: 8  // 亿
        default: 0
        }
    }

    /// True for the scalars a Chinese numeral is made of (digits and units).
    @inline(__always) static func isChineseNumeral(_ u: UInt32) -> Bool { chineseDigit(u) >= 0 || chineseUnitExponent(u) > 0 }
}
