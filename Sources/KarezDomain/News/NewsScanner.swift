import KarezProtocol

/// One pass over a story's scalars that finds every mention the enrichment lists.
///
/// The loop looks at each scalar once and dispatches on it: a digit starts a number (money,
/// date, quantity, percentage, or an XPCC unit such as 二二一团), a Chinese numeral likewise, and
/// any other CJK scalar or the first letter of a Latin word is looked up in ``NewsLexicon``
/// (places, titles, organisation suffixes, topic keywords, month names). Organisations, dates
/// without a year, keywords and the summary are settled afterwards from what the pass recorded.
struct NewsScanner {
    let t: UnsafeBufferPointer<UInt32>
    let text: ScalarText
    /// ``NewsLexicon/trie``, fetched once per story.
    let lexicon = NewsLexicon.trie
    /// ``chineseNumberStarts``, fetched once per story.
    private let numberStarts = Self.chineseNumberStarts
    /// The scalars ``Scalars/startsChineseNumber(_:)`` accepts, as a bitmap: one load and no
    /// branch for the scan's most common case, a CJK scalar that starts no number (the chain of
    /// comparisons mispredicted often).
    static let chineseNumberStarts = ScalarSet((0..<0x10000).filter { Scalars.startsChineseNumber($0) })
    /// The date month-day mentions without a year are resolved against.
    let published: CalendarDate?

    var amounts: [NewsAmount<TextSpan>] = []
    var dates: [PendingDate] = []
    var quantities: [NewsQuantity<TextSpan>] = []
    var percents: [NewsPercent<TextSpan>] = []
    /// People: the name and the title before it.
    var people: [NewsPerson<TextSpan>] = []
    var placeMatches: [(start: Int, end: Int, place: Int32)] = []
    /// Spans that may start an organisation's name: places, anchor words, XPCC units.
    var anchors: [TextSpan] = []
    var units: [TextSpan] = []
    var suffixes: [(start: Int, end: Int, proper: Bool)] = []
    var topicHits = [Int](repeating: 0, count: NewsTopic.allCases.count)

    private var lastPlaceEnd = 0
    private var lastTitleEnd = -1

    init(_ t: UnsafeBufferPointer<UInt32>, text: ScalarText, published: CalendarDate?) {
        self.t = t
        self.text = text
        self.published = published
        // One allocation per list for most stories, instead of one per doubling.
        let expected = 8 + t.count / 64
        amounts.reserveCapacity(expected)
        dates.reserveCapacity(expected)
        quantities.reserveCapacity(expected)
        percents.reserveCapacity(expected)
        people.reserveCapacity(expected)
        placeMatches.reserveCapacity(expected)
        anchors.reserveCapacity(expected)
        units.reserveCapacity(expected)
        suffixes.reserveCapacity(expected)
    }

    /// Runs the pass. Position arithmetic in the per-position loop and the lexicon walk wraps
    /// (&+, &-): positions lie within the text, so it cannot overflow.
    mutating func scan() {
        let n = t.count
        var i = 0
        while i < n {
            let u = t[i]
            if u >= 0x80 && u &- 0xFF10 >= 10 {  // neither ASCII nor a full-width digit: most of a Chinese text
                if numberStarts.contains(u), i == 0 || !Scalars.isChineseNumeral(t[i &- 1]),
                   let end = chineseNumeralMention(at: i)
                {
                    i = end
                    continue
                }
                i = lexicon.mayStart(u, i &+ 1 < n ? t[i &+ 1] : 0) ? lookUp(at: i) : i &+ 1
                continue
            }
            if Scalars.isDigit(u) {
                if i == 0 || !continuesWord(at: i) {
                    if let end = arabicMention(at: i) { i = end; continue }
                }
                i &+= 1
                while i < n, Scalars.isDigit(t[i]) { i &+= 1 }
                continue
            }
            if Scalars.isASCIILetter(u), i == 0 || !Scalars.isASCIILetter(t[i &- 1]) {
                i = lookUp(at: i)
                continue
            }
            i &+= 1
        }
    }

    /// True when the digit at `i` continues a word or a number (`G20`, `x_1`, the `5` of `3.5`,
    /// the `000` of `5,000` when the number could not be read).
    @inline(__always) private func continuesWord(at i: Int) -> Bool {
        let u = t[i - 1]
        if Scalars.isASCIILetter(u) || u == 0x5F { return true }
        guard u == 0x2E || u == 0xFF0E || u == 0x2C, i >= 2 else { return false }
        return Scalars.isDigit(t[i - 2])
    }

    /// Looks the lexicon up at `i` and records what starts there; returns where to go on.
    private mutating func lookUp(at i: Int) -> Int {
        // Without one-scalar words, every match is at least two scalars: start two down.
        let twoDown = !lexicon.hasSingleScalarKeys && i &+ 1 < t.count
        guard var node = twoDown ? lexicon.start(t[i], t[i &+ 1]) : lexicon.start(t[i]) else { return i &+ 1 }
        let latin = t[i] < 0x80
        var place: (end: Int, index: Int32)?
        var title = -1
        var suffix: (end: Int, proper: Bool)?
        var anchor = -1
        var month: (end: Int, value: Int8)?
        var percentWord = -1
        var topics: UInt16 = 0  // each topic counts once per start, however many of its keywords start here
        var j = twoDown ? i &+ 2 : i &+ 1
        while true {
            if node.isTerminal, !latin || j >= t.count || !Scalars.isASCIILetter(t[j]) {
                let terms = lexicon.value(node)
                if terms.place >= 0 { place = (j, terms.place) }
                if terms.flags != 0 {
                    if terms.flags & NewsTerms.Flag.title != 0 { title = j }
                    if terms.flags & NewsTerms.Flag.organizationSuffix != 0 { suffix = (j, terms.flags & NewsTerms.Flag.properSuffix != 0) }
                    if terms.flags & NewsTerms.Flag.organizationAnchor != 0 { anchor = j }
                    if terms.flags & NewsTerms.Flag.percentWord != 0 { percentWord = j }
                }
                topics |= terms.topics
                if terms.month != 0 { month = (j, terms.month) }
            }
            guard j < t.count else { break }
            guard let child = lexicon.next(node, t[j]) else { break }
            node = child
            j &+= 1
        }
        while topics != 0 {
            topicHits[topics.trailingZeroBitCount] += 1
            topics &= topics - 1
        }
        if let place, i >= lastPlaceEnd {
            placeMatches.append((i, place.end, place.index))
            anchors.append(TextSpan(i, place.end))
            lastPlaceEnd = place.end
        } else if anchor > 0 {
            anchors.append(TextSpan(i, anchor))
        }
        if let suffix, suffixes.last?.end != suffix.end { suffixes.append((i, suffix.end, suffix.proper)) }
        if title > 0, title != lastTitleEnd {
            lastTitleEnd = title
            personAfterTitle(titleStart: i, titleEnd: title)
        }
        if percentWord > 0, let end = percentInWords(start: i, after: percentWord) { return end }
        if let month, let end = englishDate(monthStart: i, monthEnd: month.end, month: Int(month.value)) { return end }
        return i + 1
    }

    /// Records the person named right after a title, if any (see ``ChineseNames``).
    private mutating func personAfterTitle(titleStart: Int, titleEnd e: Int) {
        let n = t.count
        guard e + 1 < n else { return }
        var surnameEnd = -1
        if e + 2 < n, ChineseNames.compoundSurnames.containsKey(t, e, e + 2) {
            surnameEnd = e + 2
        } else if ChineseNames.surnames.contains(t[e]) {
            surnameEnd = e + 1
        }
        guard surnameEnd > 0 else { return }
        var end = -1
        for length in 1...2 {
            let candidate = surnameEnd + length
            guard candidate <= n, ChineseNames.isNameScalar(t[candidate - 1]) else { break }
            if ChineseNames.endsName(t, at: candidate) {
                end = candidate
                break
            }
        }
        guard end > 0, !people.contains(where: { text.same($0.name, TextSpan(e, end)) }) else { return }
        people.append(NewsPerson(name: TextSpan(e, end), title: TextSpan(titleStart, e)))
    }
}
