import KarezProtocol

/// Builds a story's enrichment from its stored body (see ``NewsScanner`` for the pass).
enum NewsEnricher {
    /// The enrichment of the first `storedLength` scalars of `text`.
    static func enrich(_ text: ScalarText, storedLength: Int, language given: News.Language?, published: CalendarDate?) -> NewsEnrichment {
        text.scalars.withUnsafeBufferPointer { all in
            let t = UnsafeBufferPointer(rebasing: all[..<storedLength])
            let language = given ?? (LanguageGuess.isChinese(t) ? .zh : .en)
            var scanner = NewsScanner(t, text: text, published: published)
            scanner.scan()
            var e = NewsEnrichment(language: language, chars: storedLength, summary: LeadSentence.of(t, text: text))
            e.amounts = scanner.amounts
            e.dates = PendingDate.resolve(scanner.dates, published: published)
            e.quantities = scanner.quantities
            e.percents = scanner.percents
            e.places = places(scanner)
            e.organizations = scanner.organizations()
            e.people = scanner.people.map { NewsPerson(name: text.string($0.name.lowerBound, $0.name.upperBound),
                                                       title: text.string($0.title.lowerBound, $0.title.upperBound)) }
            e.topics = topics(scanner.topicHits)
            e.keywords = KeywordExtractor.keywords(t, text: text, english: language == .en)
            return e
        }
    }

    /// Places deduplicated by division, in order of first appearance, named as first written.
    private static func places(_ scanner: NewsScanner) -> [NewsPlace] {
        var seen = [Bool](repeating: false, count: NewsLexicon.places.count)
        var out: [NewsPlace] = []
        out.reserveCapacity(scanner.placeMatches.count)
        for match in scanner.placeMatches where !seen[Int(match.place)] {
            seen[Int(match.place)] = true
            out.append(NewsPlace(name: scanner.text.string(match.start, match.end), province: NewsLexicon.provinceNames[Int(match.place)]))
        }
        return out
    }

    /// Topics with enough hits, most hits first (ties in table order).
    private static func topics(_ hits: [Int]) -> [NewsTopic] {
        NewsTopic.allCases.filter { hits[$0.rawValue] >= NewsTopic.minimumHits }
            .sorted { hits[$0.rawValue] > hits[$1.rawValue] || (hits[$0.rawValue] == hits[$1.rawValue] && $0.rawValue < $1.rawValue) }
    }
}
