/// Tells Chinese from English text by the share of CJK ideographs among letters.
enum LanguageGuess {
    /// The share of CJK ideographs among CJK ideographs and Latin letters from which a text is
    /// Chinese. A Chinese story quoting English names stays well above it; an English one quoting
    /// Chinese names stays far below (an English word has ~5 letters, a Chinese word ~2 ideographs).
    static let chineseShare = 0.3

    /// True when the text reads as Chinese.
    static func isChinese(_ t: UnsafeBufferPointer<UInt32>) -> Bool {
        var cjk = 0
        var latin = 0
        for u in t {
            if u >= 0x3400 { if Scalars.isCJK(u) { cjk += 1 } } else if Scalars.isASCIILetter(u) { latin += 1 }
        }
        guard cjk + latin > 0 else { return false }
        return Double(cjk) >= chineseShare * Double(cjk + latin)
    }
}
