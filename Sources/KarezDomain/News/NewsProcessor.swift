import KarezProtocol

/// Validates and enriches news stories.
public struct NewsProcessor: KindProcessor {
    public let kind = News.schemaName
    public init() {}

    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        News.decode(body).map { news in
            ProcessedItem(id: news.id, kind: kind, body: body, enrichment: .object(JSONObject()), facts: [])
        }
    }
}
