import KarezProtocol

/// Validates and scores investment leads.
public struct LeadProcessor: KindProcessor {
    public let kind = Lead.schemaName
    public init() {}

    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        Lead.decode(body).map { lead in
            ProcessedItem(id: lead.id, kind: kind, body: body, enrichment: .object(JSONObject()), facts: [])
        }
    }
}
