import Foundation
import KarezProtocol
import Testing
@testable import KarezDomain

/// The stored enrichment matches `proto-json/schemas/enrichment-news.schema.json`, checked by an
/// independent validator (Python's jsonschema, which `make test` installs).
@Suite struct NewsEnrichmentSchemaTests {
    @Test func enrichmentsMatchTheSchema() throws {
        let bodies: [(String, News.Language?)] = [
            (NewsReferenceStory.body, .zh),
            ("Yiyang sent 19 doctors to Turpan on May 24, 2023, with CNY 12 million in aid; 80% went to villages.", nil),
            ("打印本页的说明。\n关闭", nil),
            ("x", nil),
            (String(repeating: "长句", count: 150), nil),
        ]
        var items: [JSONValue] = []
        for (body, language) in bodies {
            var members: [(String, JSONValue)] = [("body", .string(body))]
            if let language { members.append(("language", .string(language.rawValue))) }
            let item = try NewsProcessor().process(newsItem(members), context: newsContext).get()
            items.append(item.enrichment)
        }
        let (status, report) = try SchemaValidation.validate(items, against: "enrichment-news")
        #expect(status == 0, "\(report)")
    }
}
