import KarezProtocol

/// Validates and enriches news stories.
///
/// After the schema check: the title and body must have more than white space (`min_length`),
/// `published_at` must not be in the future (`date_future`). Page chrome (trailing 打印 / 关闭
/// lines and white space, see ``PageChrome``) is cut from the stored body. The enrichment
/// (`proto-json/schemas/enrichment-news.schema.json`) lists the money amounts, dates,
/// quantities, percentages, places, organisations, people, topics, keywords and lead sentence
/// found in the stored body. Facts: `news_stories{source}`, `news_topic_stories{topic}` per topic
/// and `news_amount_cny{source}` (the sum of the amounts) when there are amounts.
public struct NewsProcessor: KindProcessor {
    /// `news`.
    public let kind = News.schemaName

    /// A processor; its tables (gazetteer trie, keyword tables) are built once per process, on
    /// first use.
    public init() {}

    /// Checks the story (schema, then the rules above) and builds the record to store: the body
    /// without page chrome, the enrichment, and the facts.
    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let news: News
        switch News.decode(body) {
        case .failure(let error): return .failure(error)
        case .success(let decoded): news = decoded
        }
        let text = ScalarText(news.body)
        return process(news, text: text, context: context) { storedLength, out in
            var stored = body
            if storedLength < text.count, case .object(var object) = body {
                object["body"] = .string(text.prefix(storedLength))
                stored = .object(object)
            }
            out.write(stored)
        }
    }

    /// As ``process(_:context:)`` for the story's JSON bytes, without a JSON tree when it is
    /// valid: the body's UTF-8 is checked in the same pass that decodes it into scalars, and the
    /// stored story is written straight from the bytes read (the same bytes the tree path writes;
    /// a body written as the writer would write it is copied from the input).
    public func process(bytes: UnsafeRawBufferPointer, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        guard let read = News.read(bytes: bytes), let text = ScalarText(validating: read.body),
              (1...News.bodyMaxLength).contains(text.count)
        else { return processParsed(bytes: bytes, context: context) }
        context.stageMarks?.decoded()
        return process(read.news, text: text, context: context) { storedLength, out in
            if let json = read.bodyJSON {
                // Escaping is byte by byte, so the stored text's escapes are the input's less those
                // of the cut tail.
                let tail = text.bytes(storedLength, text.count).withUnsafeBytes(JSONByteSink.escapedCount(of:))
                read.write(escapedBody: UnsafeRawBufferPointer(rebasing: bytes[(json.lowerBound + 1)..<(json.upperBound - 1 - tail)]), into: &out)
            } else {
                text.bytes(0, storedLength).withUnsafeBytes { read.write(body: $0, into: &out) }
            }
        }
    }

    /// The rules, the enrichment and the record of a story that matches its schema, its body
    /// decoded into `text`; `writeStored` writes the stored story given the body's stored length.
    private func process(_ news: News, text: ScalarText, context: ProcessingContext,
                         writeStored: (Int, inout JSONByteSink) -> Void) -> Result<ProcessedItem, ErrorBody> {
        let storedLength = text.scalars.withUnsafeBufferPointer { PageChrome.storedLength($0) }
        let violations = text.scalars.withUnsafeBufferPointer {
            NewsValidation.violations(news, body: $0, storedLength: storedLength, today: context.today)
        }
        guard violations.isEmpty else { return .failure(ErrorBody(id: news.id, kind: kind, errors: violations)) }
        context.stageMarks?.validated()

        var out = JSONByteSink(capacity: text.utf8.count + 512)
        writeStored(storedLength, &out)
        let stored = out.bytes()
        let enrichment = NewsEnricher.enrich(text, storedLength: storedLength, language: news.language, published: news.publishedAt?.date)
        out.removeAll()  // the same memory again (it grows if the enrichment needs more)
        enrichment.write(into: &out)
        return .success(ProcessedItem(id: news.id, kind: kind, bodyJSON: stored, enrichmentJSON: out.bytes(),
                                      facts: Self.facts(enrichment, source: news.source)))
    }

    /// The domain counters a story adds.
    static func facts(_ enrichment: NewsEnrichment, source: String?) -> [DomainFact] {
        let labels = ["source": source ?? "unknown"]
        var facts: [DomainFact] = []
        facts.reserveCapacity(enrichment.topics.count + 2)
        facts.append(DomainFact("news_stories", labels, 1))
        for topic in enrichment.topics { facts.append(topicFacts[topic.rawValue]) }
        if !enrichment.amountSpans.isEmpty {
            facts.append(DomainFact("news_amount_cny", labels, enrichment.amountSpans.reduce(0) { $0 + $1.valueCNY }))
        }
        return facts
    }

    /// The `news_topic_stories` fact of each topic, by raw value: built once, shared by every
    /// story's facts (building a label dictionary per topic per story cost 3% of a story's time).
    private static let topicFacts = NewsTopic.allCases.map { DomainFact("news_topic_stories", ["topic": $0.name], 1) }
}
