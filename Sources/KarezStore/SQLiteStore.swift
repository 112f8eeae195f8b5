import Foundation
import GRDB
import KarezDomain

/// The embedded default store: one SQLite file in WAL mode (GRDB over Debian's libsqlite3).
///
/// Safe with several worker processes on one machine: every write is an `IMMEDIATE`
/// transaction and a busy database is waited for (busy timeout) rather than failed. A kill -9
/// during a batch leaves the last committed batch intact and nothing of the interrupted one.
/// With `synchronous = FULL` (the default) a commit is on disk before it returns, so a DONE
/// sent after it survives a power cut too; `NORMAL` (benchmarks only) may lose the last commits.
public final class SQLiteStore: Store {
    private let queue: DatabaseQueue
    public let displayURL: String

    /// Opens (creating if needed) the database file and its folder.
    /// - Parameter readOnly: open for reading only (`karez query` on a file it must not change).
    /// - Parameter fullSync: `PRAGMA synchronous = FULL` (durable commits); false: `NORMAL`.
    public init(path: String, busyTimeout: TimeInterval = 10, readOnly: Bool = false, fullSync: Bool = true) throws {
        displayURL = "sqlite:\(path)"
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.configuration, "cannot create the folder \(folder) for \(displayURL): \(error.localizedDescription); choose another --store sqlite:PATH")
        }
        var config = Configuration()
        config.journalMode = .wal
        config.busyMode = .timeout(busyTimeout)
        config.label = "karez-store"
        config.readonly = readOnly
        config.prepareDatabase { db in
            try db.execute(sql: fullSync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL")
        }
        // Processes that open a new file at once race to switch it to WAL: SQLite answers the
        // loser SQLITE_BUSY at once (its busy handler would deadlock), so it tries again.
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                queue = try DatabaseQueue(path: path, configuration: config)
                return
            } catch let error as DatabaseError where [.SQLITE_BUSY, .SQLITE_LOCKED].contains(error.resultCode) && Date() < deadline {
                usleep(UInt32.random(in: 5_000...50_000))
            } catch {
                throw StoreError(.unavailable, "cannot open \(displayURL): \(Self.explain(error)); check the path and its permissions")
            }
        }
    }

    public func migrate() async throws { try migrate(upTo: nil) }

    /// Applies the migrations up to and including `last` (all of them when nil).
    func migrate(upTo last: String?) throws {
        var migrator = DatabaseMigrator()
        let items = """
            kind TEXT NOT NULL CHECK (kind <> ''), id TEXT NOT NULL CHECK (id <> ''), attempt INTEGER NOT NULL,
            body TEXT NOT NULL, enrichment TEXT NOT NULL,
            enqueued_at_ms INTEGER NOT NULL, processing_us INTEGER NOT NULL, stored_at_ms INTEGER NOT NULL
            """
        let rejected = """
            kind TEXT NOT NULL CHECK (kind <> ''), id TEXT NOT NULL CHECK (id <> ''), attempt INTEGER NOT NULL,
            body TEXT NOT NULL, errors TEXT NOT NULL, stored_at_ms INTEGER NOT NULL
            """
        migrator.registerMigration("v1 items, rejected, domain totals") { db in
            try db.execute(sql: """
                CREATE TABLE items (\(items), PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE TABLE rejected (\(rejected), PRIMARY KEY (kind, id)) WITHOUT ROWID;
                CREATE TABLE domain_totals (
                    name TEXT NOT NULL, labels TEXT NOT NULL, value REAL NOT NULL,
                    PRIMARY KEY (name, labels)) WITHOUT ROWID;
                """)
        }
        // Item rows are large (a news story is about 13 KB with its enrichment), and SQLite's
        // WITHOUT ROWID tables suit rows under 1/20 of a page: as rowid tables with a unique
        // (kind, id) index, storing the reference story end to end goes about 25% faster.
        migrator.registerMigration("v2 items and rejected as rowid tables") { db in
            for (table, columns) in [("items", items), ("rejected", rejected)] {
                try db.execute(sql: """
                    CREATE TABLE \(table)_v2 (\(columns), UNIQUE (kind, id));
                    INSERT INTO \(table)_v2 SELECT * FROM \(table);
                    DROP TABLE \(table);
                    ALTER TABLE \(table)_v2 RENAME TO \(table);
                    """)
            }
        }
        migrator.registerMigration("v3 trace context of stored items") { db in
            try db.execute(sql: "ALTER TABLE items ADD COLUMN traceparent TEXT")
        }
        // Several processes may open a new file at once (a worker and `karez query`): GRDB's
        // migrator is not atomic across processes, so the one that loses the race to record a
        // migration tries again and finds it applied.
        var attempt = 0
        while true {
            do {
                if let last { try migrator.migrate(queue, upTo: last) } else { try migrator.migrate(queue) }
                return
            } catch {
                attempt += 1
                guard attempt < 5 else { throw StoreError(.unavailable, "cannot migrate \(displayURL): \(Self.explain(error))") }
                usleep(UInt32(50_000 * attempt))
            }
        }
    }

    public func write(_ batch: [StoredItem]) async throws -> WriteOutcome {
        guard !batch.isEmpty else { return WriteOutcome() }
        let now = nowMillis()
        return try await transaction { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO items (kind, id, attempt, body, enrichment, enqueued_at_ms, processing_us, stored_at_ms, traceparent)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """)
            var outcome = WriteOutcome()
            var facts: [DomainFact] = []
            for item in batch {
                insert.setUncheckedArguments([item.kind, item.id, item.attempt, item.body, item.enrichment,
                                              item.enqueuedAtMillis, item.processingMicros, now, item.traceparent])
                try insert.execute()
                if db.changesCount == 1 {
                    outcome.inserted += 1
                    facts += item.facts
                } else {
                    outcome.duplicates.append(item.id)
                }
            }
            try Self.addTotals(facts, db)
            return outcome
        }
    }

    public func writeRejected(_ batch: [RejectedItem]) async throws -> WriteOutcome {
        guard !batch.isEmpty else { return WriteOutcome() }
        let now = nowMillis()
        return try await transaction { db in
            let insert = try db.cachedStatement(sql: """
                INSERT INTO rejected (kind, id, attempt, body, errors, stored_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT DO NOTHING
                """)
            var outcome = WriteOutcome()
            for item in batch {
                insert.setUncheckedArguments([item.kind, item.id, item.attempt, item.body, item.errors, now])
                try insert.execute()
                if db.changesCount == 1 { outcome.inserted += 1 } else { outcome.duplicates.append(item.id) }
            }
            return outcome
        }
    }

    private static func addTotals(_ facts: [DomainFact], _ db: Database) throws {
        guard !facts.isEmpty else { return }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO domain_totals (name, labels, value) VALUES (?, ?, ?)
            ON CONFLICT (name, labels) DO UPDATE SET value = value + excluded.value
            """)
        for total in FactTotals.sum(facts) {
            upsert.setUncheckedArguments([total.name, total.labels, total.value])
            try upsert.execute()
        }
    }

    public func record(kind: String, id: String, rejected: Bool) async throws -> StoredRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: Self.select(rejected) + " WHERE kind = ? AND id = ?", arguments: [kind, id]).map(Self.record)
        }
    }

    public func count(kind: String?, rejected: Bool) async throws -> Int {
        let table = rejected ? "rejected" : "items"
        return try await read { db in
            if let kind { return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE kind = ?", arguments: [kind]) ?? 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0
        }
    }

    public func records(kind: String, rejected: Bool, after: String?, limit: Int) async throws -> [StoredRecord] {
        try await read { db in
            try Row.fetchAll(db, sql: Self.select(rejected) + " WHERE kind = ? AND id > ? ORDER BY id LIMIT ?",
                             arguments: [kind, after ?? "", limit]).map(Self.record)
        }
    }

    public func totals() async throws -> [DomainFact] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT name, labels, value FROM domain_totals ORDER BY name, labels").map { row in
                DomainFact(row[0], FactTotals.labels(row[1]), row[2])
            }
        }
    }

    public func close() async {
        try? queue.close()
    }

    /// Runs one statement outside the store's schema (administration and tests).
    func execute(_ sql: String, _ arguments: [(any DatabaseValueConvertible)?] = []) throws {
        try queue.write { try $0.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }

    private static func select(_ rejected: Bool) -> String {
        rejected ? "SELECT kind, id, attempt, body, errors, stored_at_ms, NULL FROM rejected"
            : "SELECT kind, id, attempt, body, enrichment, stored_at_ms, traceparent FROM items"
    }

    private static func record(_ row: Row) -> StoredRecord {
        StoredRecord(kind: row[0], id: row[1], attempt: row[2], body: row[3], detail: row[4], storedAtMillis: row[5], traceparent: row[6])
    }

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await queue.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw StoreError(.writeFailed, "writing to \(displayURL) failed, nothing of the batch was stored: \(Self.explain(error))")
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await queue.read(body)
        } catch {
            throw StoreError(.readFailed, "reading \(displayURL) failed: \(Self.explain(error))")
        }
    }

    /// SQLite's own words, with a hint for the failures people meet: full disk, read-only file, lock.
    static func explain(_ error: any Error) -> String {
        guard let db = error as? DatabaseError else { return "\(error)" }
        let text = db.message ?? "\(db.resultCode)"
        switch db.resultCode.primaryResultCode {
        case .SQLITE_FULL: return "the disk is full (\(text)); free space and the worker will retry"
        case .SQLITE_READONLY: return "the database is read-only (\(text)); check the file's permissions"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "the database stayed locked by another process (\(text))"
        case .SQLITE_CANTOPEN: return "the file cannot be opened (\(text))"
        default: return text
        }
    }
}
