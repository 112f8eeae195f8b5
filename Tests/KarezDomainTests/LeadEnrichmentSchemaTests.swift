import Foundation
import KarezProtocol
import Testing
@testable import KarezDomain

/// The stored lead enrichment matches `proto-json/schemas/enrichment-lead.schema.json`, checked
/// by an independent validator (Python's jsonschema, which `make test` installs).
@Suite struct LeadEnrichmentSchemaTests {
    /// A lead registered at national level (division code 100000, so no `region`) with an amount
    /// in yuan and fen, and one with nothing optional.
    static let edgeLeads: [JSONValue] = [
        .object(JSONObject([
            ("id", "lead-national-1"),
            ("company", .object(JSONObject([
                ("name", "中国测试集团有限公司"),
                ("credit_code", .string(CreditCode.make(authority: "9", type: "1", divisionCode: "100000", organizationBody: "MA78XK3P"))),
            ]))),
            ("sector", "光伏发电"), ("amount", .object(JSONObject([("value", 1234.56), ("unit", "元")]))), ("stage", "landed"),
            ("contact", .object(JSONObject([("name", "张伟"), ("title", "总经理"), ("phone", "0995-8561234")]))),
            ("source_event", "中国国际投资贸易洽谈会"), ("date", "2026-10-01"),
        ])),
        .object(JSONObject([
            ("id", "lead-minimal-1"),
            ("company", .object(JSONObject([
                ("name", "吐鲁番测试有限公司"),
                ("credit_code", .string(CreditCode.make(authority: "9", type: "1", divisionCode: "650402", organizationBody: "MA78XK3P"))),
            ]))),
            ("sector", "咨询"), ("amount", "1元"), ("stage", "contacted"),
        ])),
    ]

    /// Enrichments of the valid proto-json lead vectors, the reference data set's leads, the edge
    /// leads above and 3 000 generated ones.
    @Test func enrichmentsMatchTheSchema() throws {
        var bodies = try PatientFixtures.vectors("lead").map { $0.json }
        bodies += ReferenceDataSet.items().filter { $0["kind"]?.stringValue == "lead" }
        bodies += Self.edgeLeads
        bodies += SyntheticData.items("lead", count: 3_000, seed: 42)
        var enrichments: [JSONValue] = []
        var refused: [String] = []
        for body in bodies {
            switch LeadProcessor().process(body, context: PatientFixtures.context) {
            case .success(let item): enrichments.append(item.enrichment)
            case .failure(let error):
                // The reference set's invalid items (ids starting bad-) are refused on purpose.
                if body["id"]?.stringValue?.hasPrefix("bad-") != true { refused.append("\(body["id"] ?? .null): \(error.errors)") }
            }
        }
        #expect(refused.isEmpty, "\(refused.prefix(5))")
        #expect(enrichments.count > 3_000)
        #expect(enrichments.contains { $0["region"] == nil }, "no lead without a region (national registration)")
        let (status, report) = try SchemaValidation.validate(enrichments, against: "enrichment-lead")
        #expect(status == 0, "\(report)")
    }
}
