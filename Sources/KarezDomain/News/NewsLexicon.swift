/// What a word found in a news story means to the enricher.
enum NewsTerm: Sendable, Equatable {
    /// A place: index into ``NewsLexicon/places``.
    case place(Int32)
    /// A person's title (市委书记, 领队).
    case title
    /// The last word of an organisation's name; `proper` when a name without a place may still be
    /// one (see ``OrganizationSuffixes``).
    case organizationSuffix(proper: Bool)
    /// A word that starts an organisation's name (兵团).
    case organizationAnchor
    /// A keyword of a topic.
    case topic(NewsTopic)
    /// An English month name (1–12).
    case month(Int8)
    /// 百分之, which starts a percentage written in words.
    case percentWord
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

    /// The trie of every term.
    static let trie: ScalarTrie<NewsTerm> = {
        var entries: [(key: String, value: NewsTerm)] = []
        var placeKeys: Set<String> = []
        for (i, place) in places.enumerated() {
            // A name two places share goes to the first (provinces come first).
            if placeKeys.insert(place.name).inserted { entries.append((place.name, .place(Int32(i)))) }
            let short = place.shortName
            if short != place.name, short.unicodeScalars.count >= 2, !ambiguousShortNames.contains(short),
               placeKeys.insert(short).inserted
            {
                entries.append((short, .place(Int32(i))))
            }
        }
        for title in PersonTitles.all { entries.append((title, .title)) }
        for suffix in OrganizationSuffixes.anchored { entries.append((suffix, .organizationSuffix(proper: false))) }
        for suffix in OrganizationSuffixes.proper { entries.append((suffix, .organizationSuffix(proper: true))) }
        for anchor in OrganizationSuffixes.anchors { entries.append((anchor, .organizationAnchor)) }
        for topic in NewsTopic.allCases {
            for keyword in topic.keywords { entries.append((keyword, .topic(topic))) }
        }
        for (name, month) in months { entries.append((name, .month(month))) }
        entries.append(("百分之", .percentWord))
        return ScalarTrie(entries)
    }()
}
