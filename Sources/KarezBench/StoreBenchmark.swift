import Foundation
import KarezDomain
import KarezStore

/// Measures batched writes of ~600-byte patient items against a one-row-per-transaction loop,
/// on any store, in the same run.
public struct StoreBenchmark: Sendable {
    /// How rows are grouped into transactions.
    public enum Mode: String, Sendable, CaseIterable {
        case batched, single
    }

    public var url: String
    public var label: String
    public var batchSize: Int
    /// Ids are `<prefix>-<batch number>-<row in batch>`, so a reader can tell batches apart.
    public var idPrefix: String

    public init(url: String, label: String, batchSize: Int = 1000, idPrefix: String) {
        (self.url, self.label, self.batchSize, self.idPrefix) = (url, label, batchSize, idPrefix)
    }

    /// Writes `count` rows in the given mode and returns rows per second.
    public func run(_ mode: Mode, count: Int) async throws -> Double {
        let store = try await openStore(url)
        defer { Task { await store.close() } }
        let size = mode == .batched ? batchSize : 1
        let batches = (count + size - 1) / size
        // Items are built before the clock starts: the store is measured, not the generator.
        let prepared: [[StoredItem]] = (0..<batches).map { b in
            (0..<min(size, count - b * size)).map { i in Self.item(id: "\(idPrefix)-\(mode.rawValue)-\(b)-\(i)") }
        }
        let start = ContinuousClock.now
        for batch in prepared { _ = try await store.write(batch) }
        let elapsed = ContinuousClock.now - start
        let (s, atto) = elapsed.components
        return Double(count) / (Double(s) + Double(atto) / 1e18)
    }

    /// A pseudonymised patient record of about 600 bytes, as a worker stores it.
    static func item(id: String) -> StoredItem {
        let body = #"{"id":"\#(id)","patient":{"name":"9f86d081884c7d659a2feaa0","national_id":"c3ab8ff13720e8ad9047dd39","sex":"F","birth_date":"1990-03-07"},"visit":{"date":"2023-09-14","facility":"二二一团职工医院","department":"中医科","kind":"outpatient","icd10":["M54.5"],"physician":"肖彦"},"notes":"腰痛三天，针灸治疗，嘱休息。"}"#
        let enrichment = #"{"age_at_visit":33,"age_band":"25-44","region":{"code":"650402","province":"新疆维吾尔自治区","prefecture":"吐鲁番市"},"icd10":[{"code":"M54.5","chapter":"XIII","title":"下背痛"}],"procedure":{"surgery":false,"checkup":false}}"#
        return StoredItem(kind: "patient", id: id, attempt: 1, body: body, enrichment: enrichment,
                          facts: [DomainFact("patient_visits", ["kind": "outpatient", "facility": "二二一团职工医院", "department": "中医科"], 1)],
                          enqueuedAtMillis: 1_700_000_000_000, processingMicros: 9)
    }
}
