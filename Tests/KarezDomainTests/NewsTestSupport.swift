import KarezProtocol
@testable import KarezDomain

/// Enrichment of a body, as the news processor would compute it (chrome stripped first).
func newsEnrichment(_ body: String, published: CalendarDate? = CalendarDate(year: 2024, month: 1, day: 10),
                    language: News.Language? = nil) -> NewsEnrichment
{
    let text = ScalarText(body)
    let stored = text.scalars.withUnsafeBufferPointer { PageChrome.storedLength($0) }
    return NewsEnricher.enrich(text, storedLength: stored, language: language, published: published)
}

/// A news item body with the given members (id and title filled in).
func newsItem(_ members: [(String, JSONValue)]) -> JSONValue {
    var object = JSONObject([("id", "news-test-1"), ("title", "标题")])
    for (key, value) in members { object[key] = value }
    return .object(object)
}

let newsContext = ProcessingContext(today: CalendarDate(year: 2024, month: 6, day: 1), pseudonymizer: .development)

/// The reference story's body as the corpus file has it: ``ReferenceStory/body`` and the line
/// break that ends the file after the page chrome (打印, 关闭), which the library's copy leaves out.
enum NewsReferenceStory {
    static let body = ReferenceStory.body + "\n"
}
