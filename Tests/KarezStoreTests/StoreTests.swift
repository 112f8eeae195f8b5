import Foundation
import KarezDomain
import KarezTestSupport
import Synchronization
import Testing
@testable import KarezStore

@Suite("Store: the same behaviour on SQLite and a real PostgreSQL server")
struct StoreTests {
    @Test(arguments: Backend.testable)
    func writesAreIdempotentAndFactsCountOnce(_ backend: Backend) async throws {
        let (store, _) = try await freshStore(backend)
        let first = try await store.write([patientItem("p-1"), patientItem("p-2"), patientItem("p-3")])
        #expect(first == WriteOutcome(inserted: 3, duplicates: []))
        // A redelivery of p-2 and p-3 plus a new item, and an item repeated inside one batch.
        let second = try await store.write([patientItem("p-2", attempt: 2), patientItem("p-4"), patientItem("p-3", attempt: 2), patientItem("p-4")])
        #expect(second.inserted == 1)
        #expect(second.duplicates.sorted() == ["p-2", "p-3", "p-4"])
        #expect(try await store.count(kind: "patient", rejected: false) == 4)
        #expect(try await store.count(kind: nil, rejected: false) == 4)
        #expect(try await store.count(kind: "news", rejected: false) == 0)
        let totals = try await store.totals()
        #expect(totals == [DomainFact("patient_visits", ["facility": "二二一团职工医院", "kind": "outpatient"], 4)])
        let p2 = try #require(try await store.record(kind: "patient", id: "p-2", rejected: false))
        #expect(p2.attempt == 1)
        #expect(p2.body == patientItem("p-2").body)
        #expect(p2.detail.contains("吐鲁番市"))
        await store.close()
    }

    /// The W3C trace context an item was published with is kept in its record (and read back
    /// by one id and page by page); an item without one has none.
    @Test(arguments: Backend.testable)
    func theTraceContextIsKeptWithTheRecord(_ backend: Backend) async throws {
        let (store, _) = try await freshStore(backend)
        var traced = patientItem("p-traced")
        traced.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _ = try await store.write([traced, patientItem("p-plain")])
        #expect(try await store.record(kind: "patient", id: "p-traced", rejected: false)?.traceparent == traced.traceparent)
        #expect(try await store.record(kind: "patient", id: "p-plain", rejected: false)?.traceparent == nil)
        let page = try await store.records(kind: "patient", rejected: false, after: nil, limit: 10)
        #expect(page.map(\.traceparent) == [nil, traced.traceparent])
        await store.close()
    }

    @Test(arguments: Backend.testable)
    func aFailedBatchLeavesNothingBehind(_ backend: Backend) async throws {
        let (store, _) = try await freshStore(backend)
        _ = try await store.write([patientItem("before")])
        let bad = StoredItem(kind: "patient", id: "", attempt: 1, body: "{}", enrichment: "{}", facts: [DomainFact("x")])
        await #expect(throws: StoreError.self) { try await store.write([patientItem("a"), patientItem("b"), bad]) }
        #expect(try await store.count(kind: "patient", rejected: false) == 1)
        #expect(try await store.record(kind: "patient", id: "a", rejected: false) == nil)
        #expect(try await store.totals().map(\.value) == [1])
        await store.close()
    }

    @Test(arguments: Backend.testable)
    func rejectedItemsKeepTheirReasons(_ backend: Backend) async throws {
        let (store, _) = try await freshStore(backend)
        let errors = #"{"errors":[{"path":"/patient/national_id","code":"checksum","message":"check character should be X"}]}"#
        let r = RejectedItem(kind: "patient", id: "bad-1", attempt: 1, body: #"{"id":"bad-1"}"#, errors: errors)
        #expect(try await store.writeRejected([r]) == WriteOutcome(inserted: 1))
        #expect(try await store.writeRejected([r]) == WriteOutcome(inserted: 0, duplicates: ["bad-1"]))
        #expect(try await store.count(kind: "patient", rejected: true) == 1)
        #expect(try await store.count(kind: "patient", rejected: false) == 0)
        #expect(try await store.record(kind: "patient", id: "bad-1", rejected: true)?.detail == errors)
        #expect(try await store.totals().isEmpty)
        await store.close()
    }

    @Test(arguments: Backend.testable)
    func exportPagesThroughEveryRecordInIdOrder(_ backend: Backend) async throws {
        let (store, _) = try await freshStore(backend)
        let ids = (0..<2500).map { String(format: "p-%05d", $0) }
        for chunk in stride(from: 0, to: ids.count, by: 1000) {
            _ = try await store.write(ids[chunk..<min(chunk + 1000, ids.count)].shuffled().map { patientItem($0) })
        }
        var seen: [String] = []
        var after: String?
        while true {
            let page = try await store.records(kind: "patient", rejected: false, after: after, limit: 700)
            if page.isEmpty { break }
            seen += page.map(\.id)
            after = page.last?.id
        }
        #expect(seen == ids)
        await store.close()
    }

    /// A worker and `karez query` may open a new SQLite file at the same moment: both come up.
    @Test func severalOpenersOfANewSQLiteFileAllMigrateIt() async throws {
        let path = ScratchFolder.make("migrate-race").appendingPathComponent("karez.sqlite").path
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    let store = try SQLiteStore(path: path)
                    try await store.migrate()
                    await store.close()
                }
            }
            try await group.waitForAll()
        }
    }

    /// Two workers started together open a new file at the same instant (separate connections,
    /// as separate processes have): the one that loses the race to switch it to WAL tries again.
    @Test func openersStartedAtTheSameInstantAllOpenIt() throws {
        for round in 0..<20 {
            let path = ScratchFolder.make("open-race-\(round)").appendingPathComponent("karez.sqlite").path
            let gate = DispatchSemaphore(value: 0)
            let failures = Mutex<[String]>([])
            let done = DispatchGroup()
            for _ in 0..<4 {
                done.enter()
                Thread {
                    gate.wait()
                    do { _ = try SQLiteStore(path: path) } catch { failures.withLock { $0.append("\(error)") } }
                    done.leave()
                }.start()
            }
            for _ in 0..<4 { gate.signal() }
            done.wait()
            #expect(failures.withLock { $0 }.isEmpty, "round \(round)")
        }
    }

    @Test func urlsParseAndPasswordsNeverShow() throws {
        #expect(try StoreURL("sqlite:./karez-data/karez.sqlite") == .sqlite(path: "./karez-data/karez.sqlite"))
        let pg = try StoreURL("postgres://karez:s3cret@db.example:6543/karez?sslmode=require")
        #expect(pg.description == "postgres://karez:***@db.example:6543/karez")
        #expect(!"\(pg)".contains("s3cret"))
        #expect(StoreURL.redact("postgres://u:pw@h/db") == "postgres://u:***@h/db")
        #expect(throws: StoreError.self) { try StoreURL("mysql://x") }
        #expect(throws: StoreError.self) { try StoreURL("sqlite:") }
        #expect(throws: StoreError.self) { try StoreURL("postgres://u@h/db?sslmode=maybe") }
    }

    @Test func anUnreachableServerIsOneClearLine() async throws {
        let error = await #expect(throws: StoreError.self) {
            _ = try await openStore("postgres://karez:hunter2@127.0.0.1:1/nowhere")
        }
        let message = try #require(error?.message)
        #expect(message.contains("postgres://karez:***@127.0.0.1:1/nowhere"))
        #expect(!message.contains("hunter2"))
        #expect(!message.contains("\n"))
    }

    @Test func aReadOnlySQLiteFileIsReportedNotSwallowed() async throws {
        let dir = ScratchFolder.make("ro")
        let path = dir.appendingPathComponent("karez.sqlite").path
        let store = try await openStore("sqlite:\(path)")
        _ = try await store.write([patientItem("x")])
        await store.close()
        // Root ignores file modes, so make the file read-only the way SQLite sees it.
        let readOnly = try SQLiteStore(path: path, readOnly: true)
        let error = await #expect(throws: StoreError.self) { _ = try await readOnly.write([patientItem("y")]) }
        #expect(error?.message.contains("read-only") == true)
        #expect(try await readOnly.count(kind: "patient", rejected: false) == 1)
    }

    @Test func postgresIsConfiguredWhereTestsMustRunIt() {
        // CI must exercise the PostgreSQL backend: `make test` sets the URL.
        if ProcessInfo.processInfo.environment["CI"] != nil { #expect(postgresURL != nil) }
    }
}

@Suite("SQLite schema migrations")
struct SQLiteMigrationTests {
    /// A database written by the first schema (WITHOUT ROWID tables) keeps every row, rejected
    /// item and total when it moves to rowid tables, and still refuses a second copy of an item.
    @Test func itemsSurviveTheMoveToRowidTables() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("karez-migrate-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = try SQLiteStore(path: path)
        try old.migrate(upTo: "v1 items, rejected, domain totals")
        // Rows as the first schema's writer left them (its columns, no trace context).
        for item in [patientItem("p-1"), patientItem("p-2")] {
            try old.execute("INSERT INTO items (kind, id, attempt, body, enrichment, enqueued_at_ms, processing_us, stored_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                            [item.kind, item.id, item.attempt, item.body, item.enrichment, item.enqueuedAtMillis, item.processingMicros, 1_700_000_000_500])
        }
        let fact = patientItem("p-1").facts[0]
        try old.execute("INSERT INTO domain_totals (name, labels, value) VALUES (?, ?, ?)", [fact.name, FactTotals.key(fact.labels), 2.0])
        try old.execute("INSERT INTO rejected (kind, id, attempt, body, errors, stored_at_ms) VALUES ('patient', 'bad-1', 1, '{}', '{\"errors\":[]}', 1)")
        await old.close()

        let store = try SQLiteStore(path: path)
        try await store.migrate()
        #expect(try await store.count(kind: "patient", rejected: false) == 2)
        #expect(try await store.count(kind: "patient", rejected: true) == 1)
        #expect(try await store.record(kind: "patient", id: "p-2", rejected: false)?.body == patientItem("p-2").body)
        #expect(try await store.totals().first?.value == 2)
        let again = try await store.write([patientItem("p-2", attempt: 2), patientItem("p-3")])
        #expect(again == WriteOutcome(inserted: 1, duplicates: ["p-2"]))
        #expect(try await store.records(kind: "patient", rejected: false, after: nil, limit: 10).map(\.id) == ["p-1", "p-2", "p-3"])
        // v3: the trace context column, empty for the rows stored before it.
        var traced = patientItem("p-4")
        traced.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        _ = try await store.write([traced])
        #expect(try await store.record(kind: "patient", id: "p-1", rejected: false)?.traceparent == nil)
        #expect(try await store.record(kind: "patient", id: "p-4", rejected: false)?.traceparent == traced.traceparent)
        await store.close()
    }
}
