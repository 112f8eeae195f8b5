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
            var e = NewsEnrichment(text: text, language: language, chars: storedLength, lead: LeadSentence.of(t, text: text))
            e.amountSpans = scanner.amounts
            e.dateSpans = PendingDate.resolve(scanner.dates, published: published)
            e.quantitySpans = scanner.quantities
            e.percentSpans = scanner.percents
            e.placeSpans = places(scanner)
            e.organizationSpans = scanner.organizations()
            e.personSpans = scanner.people
            e.topics = topics(scanner.topicHits)
            e.keywords = KeywordExtractor.keywords(t, text: text, english: language == .en)
            return e
        }
    }

    /// Places deduplicated by division, in order of first appearance, named as first written.
    private static func places(_ scanner: NewsScanner) -> [NewsPlace<TextSpan>] {
        var seen = [Bool](repeating: false, count: NewsLexicon.places.count)
        var out: [NewsPlace<TextSpan>] = []
        out.reserveCapacity(scanner.placeMatches.count)
        for match in scanner.placeMatches where !seen[Int(match.place)] {
            seen[Int(match.place)] = true
            out.append(NewsPlace(name: TextSpan(match.start, match.end), province: NewsLexicon.provinceNames[Int(match.place)]))
        }
        return out
    }

    /// Topics with enough hits, most hits first (ties in table order).
    private static func topics(_ hits: [Int]) -> [NewsTopic] {
        var topics: [NewsTopic] = []
        for topic in NewsTopic.allCases where hits[topic.rawValue] >= NewsTopic.minimumHits {
            // Insertion in place: a story has a few topics at most.
            var at = topics.count
            while at > 0, hits[topics[at - 1].rawValue] < hits[topic.rawValue] { at -= 1 }
            topics.insert(topic, at: at)
        }
        return topics
    }
}
