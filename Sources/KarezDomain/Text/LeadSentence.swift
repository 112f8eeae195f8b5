/// The first sentence of a text: up to and including the first 。！？ (or ! ? ;), an English
/// full stop that ends a sentence, or the end of the first non-empty line, trimmed of white
/// space and cut to ``maxLength`` scalars (the last one then an ellipsis).
enum LeadSentence {
    static let maxLength = 200
    /// What ends a cut lead sentence.
    static let ellipsis = "…"

    /// Where a lead sentence is in its text, and whether it was cut (then its first
    /// ``maxLength`` - 1 scalars, which ``ellipsis`` follows).
    struct Lead: Sendable, Equatable {
        var span: TextSpan
        var truncated: Bool
    }

    /// Abbreviations whose full stop does not end a sentence.
    static let abbreviations: Set<String> = ["mr", "mrs", "ms", "dr", "st", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
                                             "sep", "sept", "oct", "nov", "dec", "prof", "gen", "gov", "sen", "rep", "co", "corp",
                                             "inc", "ltd", "vs", "etc", "u.s", "e.g", "i.e"]

    static func of(_ t: UnsafeBufferPointer<UInt32>, text: ScalarText) -> Lead {
        let n = t.count
        var start = 0
        while start < n, Scalars.isSpace(t[start]) { start += 1 }
        var end = start
        while end < n {
            let u = t[end]
            if Scalars.isLineBreak(u) { break }
            if u == 0x3002 || u == 0xFF01 || u == 0xFF1F || u == 0x21 || u == 0x3F { end += 1; break }  // 。！？!?
            if u == 0x2E, end + 1 >= n || Scalars.isSpace(t[end + 1]) || t[end + 1] == 0x22 || t[end + 1] == 0x201D,
               !isAbbreviation(t, text: text, dotAt: end)
            {
                end += 1
                break
            }
            end += 1
        }
        // Keep a closing quotation mark that follows the terminator.
        while end < n, t[end] == 0x201D || t[end] == 0x22 || t[end] == 0x300D { end += 1 }
        while end > start, Scalars.isSpace(t[end - 1]) { end -= 1 }
        if end - start > maxLength { return Lead(span: TextSpan(start, start + maxLength - 1), truncated: true) }
        return Lead(span: TextSpan(start, end), truncated: false)
    }

    private static func isAbbreviation(_ t: UnsafeBufferPointer<UInt32>, text: ScalarText, dotAt dot: Int) -> Bool {
        var w = dot
        while w > 0, Scalars.isASCIILetter(t[w - 1]) || (t[w - 1] == 0x2E && w - 1 > 0 && Scalars.isASCIILetter(t[w - 2])) { w -= 1 }
        guard w < dot, dot - w <= 5 else { return false }
        if dot - w == 1, Scalars.isASCIIUpper(t[w]) { return true }  // an initial: J. Smith
        return abbreviations.contains(text.lowercasedString(w, dot))
    }
}
