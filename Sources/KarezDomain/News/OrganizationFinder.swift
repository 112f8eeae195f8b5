/// Organisation names from what the scan recorded: every suffix (医院, 日报, 工作队 …) is
/// extended to the left over CJK scalars as far as a stop (punctuation, 的/在/到/与…, a verb
/// such as 推动 or 担任, the previous organisation, at most ``maxPrefix`` scalars), and the name then
/// starts at the earliest anchor inside that window (a place of the gazetteer, 兵团, an XPCC unit
/// such as 二二一团, or a short toponym ending in 区/县/镇/…) from which anchors follow each other
/// and the suffix with gaps of at most ``maxGap`` scalars. Without an anchor only a suffix marked
/// proper (学校, 公司 …) gives a name, and only inside an enumeration (与梓山湖学校、龙洲小学等).
/// The numbered XPCC units themselves (十二师, 二二一团) are organisations too.
extension NewsScanner {
    static let maxPrefix = 12
    static let maxGap = 6
    static let maxName = 24

    /// The two-scalar verbs that end a name on the left.
    static let leftStopWords = ScalarTrie(OrganizationSuffixes.leftStopWords.map { (key: $0, value: true) })
    /// Scalars that cannot start a short toponym (全市 "the whole city", 我区 "our district").
    static let determiners = ScalarSet("全我本该各此每省市县区镇乡村州")
    /// Enumeration marks around an unanchored proper name.
    static let enumerationLeft = ScalarSet("与和及、同")
    static let enumerationRight = ScalarSet("、和与及等")

    /// The organisations, deduplicated, in order of first appearance.
    func organizations() -> [TextSpan] {
        // Names from suffixes, in order: each starts after the one before ends.
        var names: [TextSpan] = []
        names.reserveCapacity(suffixes.count)
        var floor = 0
        var anchorIndex = 0
        for suffix in suffixes where suffix.start >= floor {
            // Anchors that start before the suffix.
            while anchorIndex < anchors.count, anchors[anchorIndex].start < suffix.start { anchorIndex += 1 }
            if let start = organizationStart(suffix: suffix, floor: floor, anchorsBefore: anchorIndex), suffix.end - start <= Self.maxName {
                names.append(TextSpan(start, suffix.end))
                floor = suffix.end  // the next name starts after this one
            }
        }
        // Units and names merged by start, the longer first at the same start (both lists are in
        // order of start), then deduplicated by text.
        var kept: [TextSpan] = []
        kept.reserveCapacity(units.count + names.count)
        var u = 0, m = 0
        while u < units.count || m < names.count {
            let span: TextSpan
            if m == names.count || (u < units.count && Self.precedes(units[u], names[m])) {
                span = units[u]
                u += 1
            } else {
                span = names[m]
                m += 1
            }
            if !kept.contains(where: { text.same($0, span) }) { kept.append(span) }
        }
        return kept
    }

    /// The order of organisations: by start, the longer first.
    private static func precedes(_ a: TextSpan, _ b: TextSpan) -> Bool {
        a.start < b.start || (a.start == b.start && a.end > b.end)
    }

    /// Where the organisation whose name ends with `suffix` starts, or nil when there is none.
    private func organizationStart(suffix: (start: Int, end: Int, proper: Bool), floor: Int, anchorsBefore: Int) -> Int? {
        let s = suffix.start
        // The window: CJK scalars left of the suffix, up to a stop.
        var a = anchorsBefore - 1
        var w = s
        var k = s - 1
        var natural = true
        while true {
            guard k >= floor else { break }
            if s - k > Self.maxPrefix { natural = false; break }
            while a >= 0, anchors[a].start > k { a -= 1 }  // the last anchor starting at or before k
            if a >= 0, anchors[a].start <= k, anchors[a].end > k {  // k lies inside an anchor: take it whole
                guard anchors[a].start >= floor else { break }
                w = anchors[a].start
                k = w - 1
                a -= 1
                continue
            }
            let c = t[k]
            if !Scalars.isCJK(c) || OrganizationSuffixes.leftStops.contains(c) { break }
            if k - 1 >= floor, Self.leftStopWords.containsKey(t, k - 1, k + 1) { break }
            w = k
            k -= 1
        }
        guard w < s else { return nil }
        // The chain of anchors that reaches the suffix.
        var point = s
        var start = -1
        var i = anchorsBefore - 1
        while i >= 0 {
            let anchor = anchors[i]
            if anchor.start < w { break }
            if anchor.end <= point, point - anchor.end <= Self.maxGap {
                start = anchor.start
                point = anchor.start
            } else if anchor.end <= point {
                break
            }
            i -= 1
        }
        // A short toponym at the window's start (高昌区, 亚尔镇): a pseudo-anchor.
        if natural, start != w, !Self.determiners.contains(t[w]) {
            var p = w + 1
            while p <= min(w + 3, point - 1) {
                if OrganizationSuffixes.adminUnits.contains(t[p]), point - (p + 1) <= Self.maxGap {
                    start = w
                    break
                }
                p += 1
            }
        }
        if start >= 0 { return start }
        // An unanchored proper name inside an enumeration.
        guard suffix.proper, natural, (2...8).contains(s - w) else { return nil }
        let left = w > 0 && Self.enumerationLeft.contains(t[w - 1])
        let right = suffix.end < t.count && Self.enumerationRight.contains(t[suffix.end])
        return left || right ? w : nil
    }
}
