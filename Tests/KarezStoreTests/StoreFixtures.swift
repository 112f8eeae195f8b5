import Foundation
import KarezDomain
import KarezTestSupport
import PostgresNIO
import Testing
@testable import KarezStore

/// The backends every store test runs against.
enum Backend: String, CaseIterable, CustomStringConvertible {
    case sqlite, postgres
    var description: String { rawValue }
}

/// The test PostgreSQL server's URL: `make test` starts one and sets `KAREZ_TEST_POSTGRES_URL`.
let postgresURL = ProcessInfo.processInfo.environment["KAREZ_TEST_POSTGRES_URL"]

extension Backend {
    /// The backends to test here: PostgreSQL when a server is given, and always under `CI=true`
    /// (where its absence is a failure); elsewhere SQLite alone, and `PostgresAvailability` says why.
    static var testable: [Backend] { postgresURL != nil || isCI ? allCases : [.sqlite] }
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] == "true" }
}

@Suite("PostgreSQL for the store tests")
struct PostgresAvailability {
    @Test(.enabled(if: postgresURL != nil || Backend.isCI,
                   "the PostgreSQL cases of the store tests are skipped: KAREZ_TEST_POSTGRES_URL is not set (make test starts a server; with CI=true they are required)"))
    func postgresStoreTestsRun() {
        #expect(postgresURL != nil, "CI=true requires PostgreSQL: KAREZ_TEST_POSTGRES_URL is not set")
    }
}

/// A fresh, empty store of a backend: a new SQLite file, or a new PostgreSQL database.
func freshStore(_ backend: Backend) async throws -> (store: any Store, url: String) {
    switch backend {
    case .sqlite:
        let dir = ScratchFolder.make("store")
        let url = "sqlite:\(dir.path)/karez.sqlite"
        return (try await openStore(url), url)
    case .postgres:
        guard let base = postgresURL else {
            throw StoreError(.configuration, "KAREZ_TEST_POSTGRES_URL is not set: run `make test`, which starts a PostgreSQL server (scripts/test-postgres.sh)")
        }
        let name = "karez_t_\(UUID().uuidString.prefix(8).lowercased())"
        guard case .postgres(let location) = try StoreURL(base) else { throw StoreError(.configuration, "not a postgres URL: \(base)") }
        let admin = try await PostgresStore(location)
        try await admin.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        await admin.close()
        let url = base.replacingOccurrences(of: "/\(location.database)", with: "/\(name)")
        return (try await openStore(url), url)
    }
}

/// A 600-byte-ish patient item as a worker would store it.
func patientItem(_ id: String, attempt: Int = 1, facility: String = "二二一团职工医院") -> StoredItem {
    let body = #"{"id":"\#(id)","patient":{"name":"a1b2c3d4e5f6a1b2c3d4e5f6","national_id":"0f1e2d3c4b5a69788796a5b4","sex":"F","birth_date":"1990-03-07"},"visit":{"date":"2023-09-14","facility":"\#(facility)","department":"中医科","kind":"outpatient","icd10":["M54.5"],"physician":"肖彦"},"notes":"腰痛三天，针灸治疗。"}"#
    let enrichment = #"{"age_at_visit":33,"age_band":"25-44","region":{"code":"650402","province":"新疆维吾尔自治区","prefecture":"吐鲁番市"},"icd10":[{"code":"M54.5","chapter":"XIII","title":"下背痛"}]}"#
    return StoredItem(kind: "patient", id: id, attempt: attempt, body: body, enrichment: enrichment,
                      facts: [DomainFact("patient_visits", ["kind": "outpatient", "facility": facility], 1)],
                      enqueuedAtMillis: 1_700_000_000_000, processingMicros: 12)
}
