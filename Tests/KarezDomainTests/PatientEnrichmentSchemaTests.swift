import Foundation
import KarezProtocol
import Testing
@testable import KarezDomain

/// The stored patient enrichment matches `proto-json/schemas/enrichment-patient.schema.json`,
/// checked by an independent validator (Python's jsonschema, which `make test` installs).
@Suite struct PatientEnrichmentSchemaTests {
    /// Enrichments of the valid proto-json patient vectors (legacy 15-digit and lower-case x IDs,
    /// 20 codes, none), the reference data set's visits and 2 000 generated ones.
    @Test func enrichmentsMatchTheSchema() throws {
        var bodies = try PatientFixtures.vectors("patient").map { $0.json }
        bodies += ReferenceDataSet.items().filter { $0["kind"]?.stringValue == "patient" }
        bodies += SyntheticData.items("patient", count: 2_000, seed: 42)
        var enrichments: [JSONValue] = []
        var refused: [String] = []
        for body in bodies {
            switch PatientProcessor().process(body, context: PatientFixtures.context) {
            case .success(let item): enrichments.append(item.enrichment)
            case .failure(let error):
                // The reference set's invalid items (ids starting bad-) are refused on purpose.
                if body["id"]?.stringValue?.hasPrefix("bad-") != true { refused.append("\(body["id"] ?? .null): \(error.errors)") }
            }
        }
        #expect(refused.isEmpty, "\(refused.prefix(5))")
        #expect(enrichments.count > 3_000)
        let (status, report) = try SchemaValidation.validate(enrichments, against: "enrichment-patient")
        #expect(status == 0, "\(report)")
    }
}
