/// Everything one word means to the enricher (a word can be several things: 日报 is an
/// organisation suffix and a media keyword; 兵团 is a suffix and an anchor).
struct NewsTerms: Sendable, Equatable {
    /// A place: index into ``NewsLexicon/places``, or -1.
    var place: Int32 = -1
    /// The ``Flag`` bits.
    var flags: UInt8 = 0
    /// An English month name: 1–12, or 0.
    var month: Int8 = 0
    /// Topics the word is a keyword of: bit `NewsTopic.rawValue`.
    var topics: UInt16 = 0

    /// What else a word may be.
    enum Flag {
        /// A person's title (市委书记, 领队).
        static let title: UInt8 = 1
        /// The last word of an organisation's name.
        static let organizationSuffix: UInt8 = 2
        /// With ``organizationSuffix``: a name without a place may still be one (see ``OrganizationSuffixes``).
        static let properSuffix: UInt8 = 4
        /// A word that starts an organisation's name (兵团).
        static let organizationAnchor: UInt8 = 8
        /// 百分之, which starts a percentage written in words.
        static let percentWord: UInt8 = 16
    }
}

/// Every word the news enricher looks for, in one trie built once, so that the scan asks "does a
/// known word start here?" once per position whatever the category.
enum NewsLexicon {
    /// The gazetteer's places, indexed by ``NewsTerm/place(_:)``.
    static let places: [Place] = Gazetteer.allPlaces
    /// For each place, the full name of its province.
    static let provinceNames: [String] = places.map { Gazetteer.province(of: $0).name }

    /// Short names that are far more often ordinary words (大庆 "grand celebration", 日照
    /// "sunshine", 长治 in 长治久安, 新星 "new star"): only their full names (大庆市) match.
    static let ambiguousShortNames: Set<String> = [
        "大同", "长治", "大庆", "日照", "泰安", "来宾", "安康", "白银", "普洱", "阿里", "朝阳", "中山", "大理", "北海", "玉树", "文山",
        "三明", "白沙", "双河", "新星", "白杨", "天门", "文昌", "海西", "山南", "四平", "白山", "新乡",
    ]

    /// English month names and abbreviations.
    static let months: [(String, Int8)] = [
        ("january", 1), ("jan", 1), ("february", 2), ("feb", 2), ("march", 3), ("mar", 3), ("april", 4), ("apr", 4), ("may", 5),
        ("june", 6), ("jun", 6), ("july", 7), ("jul", 7), ("august", 8), ("aug", 8), ("september", 9), ("sep", 9), ("sept", 9),
        ("october", 10), ("oct", 10), ("november", 11), ("nov", 11), ("december", 12), ("dec", 12),
    ]

    /// The trie of every term: one ``NewsTerms`` per word.
    static let trie: ScalarTrie<NewsTerms> = {
        var terms: [String: NewsTerms] = [:]
        var order: [String] = []
        func add(_ key: String, _ change: (inout NewsTerms) -> Void) {
            if terms[key] == nil {
                terms[key] = NewsTerms()
                order.append(key)
            }
            change(&terms[key]!)
        }
        for (i, place) in places.enumerated() {
            // A name two places share goes to the first (provinces come first).
            add(place.name) { if $0.place < 0 { $0.place = Int32(i) } }
            let short = place.shortName
            if short != place.name, short.unicodeScalars.count >= 2, !ambiguousShortNames.contains(short) {
                add(short) { if $0.place < 0 { $0.place = Int32(i) } }
            }
        }
        for title in PersonTitles.all { add(title) { $0.flags |= NewsTerms.Flag.title } }
        for suffix in OrganizationSuffixes.anchored { add(suffix) { $0.flags |= NewsTerms.Flag.organizationSuffix } }
        for suffix in OrganizationSuffixes.proper {
            add(suffix) { $0.flags |= NewsTerms.Flag.organizationSuffix | NewsTerms.Flag.properSuffix }
        }
        for anchor in OrganizationSuffixes.anchors { add(anchor) { $0.flags |= NewsTerms.Flag.organizationAnchor } }
        for topic in NewsTopic.allCases {
            for keyword in topic.keywords { add(keyword) { $0.topics |= 1 << UInt16(topic.rawValue) } }
        }
        for (name, month) in months { add(name) { $0.month = month } }
        add("百分之") { $0.flags |= NewsTerms.Flag.percentWord }
        return ScalarTrie(order.map { (key: $0, value: terms[$0]!) })
    }()
}
