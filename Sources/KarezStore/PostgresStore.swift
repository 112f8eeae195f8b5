import Logging
import NIOSSL
import PostgresNIO
import KarezDomain

/// The shared store for several machines: PostgreSQL through postgres-nio's connection pool.
///
/// The same behaviour as ``SQLiteStore``: a batch is one transaction, writes are idempotent per
/// `(kind, id)` (`ON CONFLICT DO NOTHING`), domain totals change in the same transaction. A batch
/// is sent as one statement over arrays (`unnest`), whatever its size. The pool reconnects by
/// itself after the server restarts; a write that fails meanwhile throws and is retried by the worker.
public final class PostgresStore: Store {
    private let pool: PostgresPool
    private var client: PostgresClient { pool.client }
    private let logger = Logger(label: "karez.store.postgres")
    public let displayURL: String

    /// Connects (lazily, through the pool) to the server a location names.
    public init(_ location: StoreURL.PostgresLocation) async throws {
        displayURL = StoreURL.postgres(location).description
        let tls: PostgresClient.Configuration.TLS = switch location.tlsMode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
        var config = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                  password: location.password, database: location.database, tls: tls)
        config.options.connectTimeout = .seconds(5)
        config.options.maximumConnections = 8
        let pool = PostgresPool(configuration: config, logger: logger)
        self.pool = pool
        do {
            _ = try await withDeadline(.seconds(5)) { try await pool.client.query("SELECT 1") }
        } catch is DeadlineExceeded {
            pool.close()
            // The pool retries a refused login quietly; one plain connection says why.
            let why = await Self.diagnose(location)
            throw StoreError(.unavailable, "cannot reach \(displayURL): \(why); check that the server runs and the URL's user, password and database are right")
        } catch {
            pool.close()
            throw StoreError(.unavailable, "cannot reach \(displayURL): \(Self.explain(error)); check that the server runs and the URL's user, password and database are right")
        }
    }

    deinit { pool.close() }

    public func migrate() async throws {
        do {
            try await client.withTransaction(logger: logger) { c in
                try await c.query("SELECT pg_advisory_xact_lock(7700)", logger: logger)
                try await c.query("CREATE TABLE IF NOT EXISTS karez_schema (version INTEGER NOT NULL)", logger: logger)
                var version = 0
                for try await v in try await c.query("SELECT COALESCE(MAX(version), 0) FROM karez_schema", logger: logger).decode(Int.self) {
                    version = v
                }
                if version < 1 {
                    try await c.query("""
                        CREATE TABLE items (
                            kind TEXT NOT NULL CHECK (kind <> ''), id TEXT NOT NULL CHECK (id <> ''), attempt INTEGER NOT NULL,
                            body TEXT NOT NULL, enrichment TEXT NOT NULL,
                            enqueued_at_ms BIGINT NOT NULL, processing_us BIGINT NOT NULL, stored_at_ms BIGINT NOT NULL,
                            PRIMARY KEY (kind, id))
                        """, logger: logger)
                    try await c.query("""
                        CREATE TABLE rejected (
                            kind TEXT NOT NULL CHECK (kind <> ''), id TEXT NOT NULL CHECK (id <> ''), attempt INTEGER NOT NULL,
                            body TEXT NOT NULL, errors TEXT NOT NULL, stored_at_ms BIGINT NOT NULL,
                            PRIMARY KEY (kind, id))
                        """, logger: logger)
                    try await c.query("""
                        CREATE TABLE domain_totals (name TEXT NOT NULL, labels TEXT NOT NULL, value DOUBLE PRECISION NOT NULL,
                            PRIMARY KEY (name, labels))
                        """, logger: logger)
                    try await c.query("INSERT INTO karez_schema (version) VALUES (1)", logger: logger)
                }
                if version < 2 {
                    try await c.query("ALTER TABLE items ADD COLUMN traceparent TEXT", logger: logger)
                    try await c.query("INSERT INTO karez_schema (version) VALUES (2)", logger: logger)
                }
            }
        } catch {
            throw StoreError(.unavailable, "cannot migrate \(displayURL): \(Self.explain(error))")
        }
    }

    public func write(_ batch: [StoredItem]) async throws -> WriteOutcome {
        guard !batch.isEmpty else { return WriteOutcome() }
        let now = nowMillis()
        let kinds = batch.map(\.kind), ids = batch.map(\.id), attempts = batch.map { Int32($0.attempt) }
        let bodies = batch.map(\.body), enrichments = batch.map(\.enrichment)
        let enqueued = batch.map(\.enqueuedAtMillis), processing = batch.map(\.processingMicros), traces = batch.map { $0.traceparent ?? "" }
        return try await transaction { c, logger in
            var inserted = Set<String>()
            let rows = try await c.query("""
                INSERT INTO items (kind, id, attempt, body, enrichment, enqueued_at_ms, processing_us, stored_at_ms, traceparent)
                SELECT k, i, a, b, e, q, p, \(now), NULLIF(t, '') FROM unnest(\(kinds)::text[], \(ids)::text[], \(attempts)::int4[],
                    \(bodies)::text[], \(enrichments)::text[], \(enqueued)::int8[], \(processing)::int8[], \(traces)::text[]) AS t(k, i, a, b, e, q, p, t)
                ON CONFLICT DO NOTHING RETURNING kind, id
                """, logger: logger)
            for try await (kind, id) in rows.decode((String, String).self) { inserted.insert(kind + "\u{1F}" + id) }
            var outcome = WriteOutcome(inserted: inserted.count)
            var facts: [DomainFact] = []
            var seen = Set<String>()
            for item in batch {
                let key = item.kind + "\u{1F}" + item.id
                // A batch may hold the same item twice: only its first copy is new.
                if inserted.contains(key) && seen.insert(key).inserted { facts += item.facts } else { outcome.duplicates.append(item.id) }
            }
            let totals = FactTotals.sum(facts)
            if !totals.isEmpty {
                try await c.query("""
                    INSERT INTO domain_totals (name, labels, value)
                    SELECT * FROM unnest(\(totals.map(\.name))::text[], \(totals.map(\.labels))::text[], \(totals.map(\.value))::float8[])
                    ON CONFLICT (name, labels) DO UPDATE SET value = domain_totals.value + excluded.value
                    """, logger: logger)
            }
            return outcome
        }
    }

    public func writeRejected(_ batch: [RejectedItem]) async throws -> WriteOutcome {
        guard !batch.isEmpty else { return WriteOutcome() }
        let now = nowMillis()
        let kinds = batch.map(\.kind), ids = batch.map(\.id), attempts = batch.map { Int32($0.attempt) }
        let bodies = batch.map(\.body), errors = batch.map(\.errors)
        return try await transaction { c, logger in
            var inserted = Set<String>()
            let rows = try await c.query("""
                INSERT INTO rejected (kind, id, attempt, body, errors, stored_at_ms)
                SELECT k, i, a, b, e, \(now) FROM unnest(\(kinds)::text[], \(ids)::text[], \(attempts)::int4[],
                    \(bodies)::text[], \(errors)::text[]) AS t(k, i, a, b, e)
                ON CONFLICT DO NOTHING RETURNING kind, id
                """, logger: logger)
            for try await (kind, id) in rows.decode((String, String).self) { inserted.insert(kind + "\u{1F}" + id) }
            var outcome = WriteOutcome(inserted: inserted.count)
            var seen = Set<String>()
            for item in batch where !(inserted.contains(item.kind + "\u{1F}" + item.id) && seen.insert(item.kind + "\u{1F}" + item.id).inserted) {
                outcome.duplicates.append(item.id)
            }
            return outcome
        }
    }

    public func record(kind: String, id: String, rejected: Bool) async throws -> StoredRecord? {
        try await fetch(rejected ? "SELECT kind, id, attempt, body, errors, stored_at_ms, NULL::text FROM rejected WHERE kind = \(kind) AND id = \(id)"
                                 : "SELECT kind, id, attempt, body, enrichment, stored_at_ms, traceparent FROM items WHERE kind = \(kind) AND id = \(id)").first
    }

    public func count(kind: String?, rejected: Bool) async throws -> Int {
        let query: PostgresQuery = switch (kind, rejected) {
        case (let k?, true): "SELECT COUNT(*) FROM rejected WHERE kind = \(k)"
        case (let k?, false): "SELECT COUNT(*) FROM items WHERE kind = \(k)"
        case (nil, true): "SELECT COUNT(*) FROM rejected"
        case (nil, false): "SELECT COUNT(*) FROM items"
        }
        return try await run {
            var n = 0
            for try await c in try await self.client.query(query, logger: self.logger).decode(Int.self) { n = c }
            return n
        }
    }

    public func records(kind: String, rejected: Bool, after: String?, limit: Int) async throws -> [StoredRecord] {
        let a = after ?? ""
        return try await fetch(rejected
            ? "SELECT kind, id, attempt, body, errors, stored_at_ms, NULL::text FROM rejected WHERE kind = \(kind) AND id > \(a) ORDER BY id LIMIT \(limit)"
            : "SELECT kind, id, attempt, body, enrichment, stored_at_ms, traceparent FROM items WHERE kind = \(kind) AND id > \(a) ORDER BY id LIMIT \(limit)")
    }

    public func totals() async throws -> [DomainFact] {
        try await run {
            var facts: [DomainFact] = []
            let rows = try await self.client.query("SELECT name, labels, value FROM domain_totals ORDER BY name, labels", logger: self.logger)
            for try await (name, labels, value) in rows.decode((String, String, Double).self) {
                facts.append(DomainFact(name, FactTotals.labels(labels), value))
            }
            return facts
        }
    }

    /// Runs one statement outside the store's schema (administration and tests).
    func execute(_ query: PostgresQuery) async throws {
        _ = try await run { try await self.client.query(query, logger: self.logger) }
    }

    public func close() async {
        pool.close()
    }

    private func fetch(_ query: PostgresQuery) async throws -> [StoredRecord] {
        try await run {
            var out: [StoredRecord] = []
            let rows = try await self.client.query(query, logger: self.logger)
            for try await (k, i, a, b, d, s, t) in rows.decode((String, String, Int32, String, String, Int64, String?).self) {
                out.append(StoredRecord(kind: k, id: i, attempt: Int(a), body: b, detail: d, storedAtMillis: s, traceparent: t))
            }
            return out
        }
    }

    /// Runs `body` in a transaction; one that has not finished after 15 seconds (a connection
    /// lost mid-way) is abandoned and reported, so the caller can retry, and the server ends one
    /// left idle for 10 seconds, so its locks go with it.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let client = self.client
        do {
            return try await withDeadline(.seconds(15)) {
                try await client.withTransaction(logger: self.logger) { c in
                    // A worker whose link drops mid-transaction would hold the row locks of the
                    // domain totals every batch updates, and stall every other worker until TCP
                    // gives up: the server ends such a transaction after 10 s instead.
                    // The server also ends a statement still running after 14 s: one abandoned at
                    // the 15 s deadline does not go on holding locks there.
                    try await c.query("SELECT set_config('idle_in_transaction_session_timeout', '10s', true), set_config('statement_timeout', '14s', true)",
                                      logger: self.logger)
                    return try await body(c, self.logger)
                }
            }
        } catch is DeadlineExceeded {
            pool.replace(client)
            throw StoreError(.writeFailed, "writing to \(displayURL) got no answer within 15 s (a server or link gone); the batch is written again, and a write that lands twice counts once")
        } catch {
            throw StoreError(.writeFailed, "writing to \(displayURL) failed, nothing of the batch was stored: \(Self.explain(error))")
        }
    }

    /// Runs a read; one that has not finished after 30 seconds is abandoned and reported.
    private func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let client = self.client
        do { return try await withDeadline(.seconds(30), body) } catch {
            if error is DeadlineExceeded { pool.replace(client) }
            throw StoreError(.readFailed, "reading \(displayURL) failed: \(Self.explain(error))")
        }
    }

    /// Why one plain connection to `location` fails (the pool only times out).
    private static func diagnose(_ location: StoreURL.PostgresLocation) async -> String {
        let context = { try NIOSSLContext(configuration: .makeClientConfiguration()) }
        let tls: PostgresConnection.Configuration.TLS
        do {
            tls = switch location.tlsMode {
            case "disable": .disable
            case "require": .require(try context())
            default: .prefer(try context())
            }
        } catch { return explain(error) }
        let plain = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                     password: location.password, database: location.database, tls: tls)
        do {
            let c = try await withDeadline(.seconds(5)) {
                try await PostgresConnection.connect(configuration: plain, id: 0, logger: Logger(label: "karez.store.postgres"))
            }
            try? await c.close()
            return "no answer from the server in time"
        } catch {
            return explain(error)
        }
    }

    /// The server's message when there is one (`PSQLError` hides it from `description`).
    static func explain(_ error: any Error) -> String {
        if error is DeadlineExceeded { return "no answer from the server in time" }
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)"
        }
        return "\(error)"
    }
}

extension StoreURL.PostgresLocation {
    /// TLS as the pool and a plain connection use it: the URL's `sslmode`, where `prefer` means
    /// none on loopback.
    var tlsMode: String {
        sslMode == "prefer" && (host == "127.0.0.1" || host == "localhost") ? "disable" : sslMode
    }
}
