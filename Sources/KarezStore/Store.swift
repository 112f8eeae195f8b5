import KarezDomain
import KarezProtocol

/// Where workers write processed and rejected items, and where users read them back.
///
/// Writes are idempotent per `(kind, id)`: storing an item again (a redelivery) leaves one row
/// and reports the id as a duplicate. A batch is one transaction: all of it is visible, or none.
/// Domain facts of newly stored items are added to running totals in that same transaction, so
/// the totals count each item exactly once however often it is delivered.
public protocol Store: Sendable {
    /// A description of the store with any password hidden, for messages.
    var displayURL: String { get }

    /// Creates or upgrades the schema.
    func migrate() async throws

    /// Stores processed items (one transaction) and returns which were new.
    func write(_ batch: [StoredItem]) async throws -> WriteOutcome

    /// Stores rejected items with their error bodies (one transaction).
    func writeRejected(_ batch: [RejectedItem]) async throws -> WriteOutcome

    /// One stored record, or nil.
    func record(kind: String, id: String, rejected: Bool) async throws -> StoredRecord?

    /// How many records of a kind (all kinds when nil) are stored.
    func count(kind: String?, rejected: Bool) async throws -> Int

    /// Up to `limit` records of a kind with ids after `after`, in id order (for export).
    func records(kind: String, rejected: Bool, after: String?, limit: Int) async throws -> [StoredRecord]

    /// The running totals of every domain fact.
    func totals() async throws -> [DomainFact]

    /// Releases connections.
    func close() async
}

/// A processed item ready to store.
public struct StoredItem: Sendable, Equatable {
    public var kind: String
    public var id: String
    /// Which delivery this was (1 = first).
    public var attempt: Int
    /// The body as stored (JSON text, personal data already pseudonymised).
    public var body: String
    /// The enrichment (JSON text).
    public var enrichment: String
    /// Domain facts added to the totals if the item is new.
    public var facts: [DomainFact]
    /// When the broker accepted the item, in ms since 1970 (0 when unknown).
    public var enqueuedAtMillis: Int64
    /// Time spent validating and enriching, in microseconds.
    public var processingMicros: Int64
    /// The W3C trace context the item was published with, if any.
    public var traceparent: String?

    public init(kind: String, id: String, attempt: Int, body: String, enrichment: String, facts: [DomainFact],
                enqueuedAtMillis: Int64 = 0, processingMicros: Int64 = 0, traceparent: String? = nil) {
        (self.kind, self.id, self.attempt, self.body, self.enrichment) = (kind, id, attempt, body, enrichment)
        (self.facts, self.enqueuedAtMillis, self.processingMicros, self.traceparent) = (facts, enqueuedAtMillis, processingMicros, traceparent)
    }
}

/// An item refused by validation, kept with its reasons.
public struct RejectedItem: Sendable, Equatable {
    public var kind: String
    public var id: String
    public var attempt: Int
    /// The body as received (JSON text; personal data is not pseudonymised: it did not validate).
    public var body: String
    /// The error body (JSON text, proto-json `error.schema.json`).
    public var errors: String

    public init(kind: String, id: String, attempt: Int, body: String, errors: String) {
        (self.kind, self.id, self.attempt, self.body, self.errors) = (kind, id, attempt, body, errors)
    }
}

/// What a batch write did.
public struct WriteOutcome: Sendable, Equatable {
    /// Items stored now.
    public var inserted: Int
    /// Ids that were already stored (left untouched).
    public var duplicates: [String]

    public init(inserted: Int = 0, duplicates: [String] = []) {
        self.inserted = inserted
        self.duplicates = duplicates
    }
}

/// A record read back from the store.
public struct StoredRecord: Sendable, Equatable {
    public var kind: String
    public var id: String
    public var attempt: Int
    public var body: String
    /// Enrichment JSON for stored items; the error body for rejected ones.
    public var detail: String
    /// When it was stored, in ms since 1970.
    public var storedAtMillis: Int64
    /// The W3C trace context the item was published with (stored items), if any.
    public var traceparent: String?

    public init(kind: String, id: String, attempt: Int, body: String, detail: String, storedAtMillis: Int64, traceparent: String? = nil) {
        (self.kind, self.id, self.attempt, self.body, self.detail) = (kind, id, attempt, body, detail)
        (self.storedAtMillis, self.traceparent) = (storedAtMillis, traceparent)
    }
}

/// A store failure: what kind of failure (callers act on it), and one line that says what to do.
public struct StoreError: Error, CustomStringConvertible {
    /// What failed.
    public enum Reason: Sendable, Equatable {
        /// The URL or a path is wrong: fix the flag; trying again cannot help.
        case configuration
        /// The store cannot be opened, reached or migrated now (it may come back).
        case unavailable
        /// A batch was not written (nothing of it was stored).
        case writeFailed
        /// A read failed.
        case readFailed
    }
    public let reason: Reason
    public let message: String
    public init(_ reason: Reason, _ message: String) { (self.reason, self.message) = (reason, message) }
    public var description: String { message }
}

/// Sums facts that share a name and labels.
enum FactTotals {
    /// The labels as canonical JSON (members sorted by name), the totals' key.
    static func key(_ labels: [String: String]) -> String {
        JSONWriter.string(.object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })))
    }

    /// Parses ``key(_:)``'s text back into labels.
    static func labels(_ key: String) -> [String: String] {
        guard let object = (try? JSONParser.parse(key))?.objectValue else { return [:] }
        var labels: [String: String] = [:]
        for (k, v) in object.members { labels[k] = v.stringValue ?? "" }
        return labels
    }

    /// Facts summed by `(name, labels)`, sorted by name and labels key.
    static func sum(_ facts: [DomainFact]) -> [(name: String, labels: String, value: Double)] {
        DomainFact.sum(facts).map { (name: $0.group.name, labels: key($0.group.labels), value: $0.value) }
            .sorted { ($0.name, $0.labels) < ($1.name, $1.labels) }
    }
}

/// Milliseconds since 1970, now.
func nowMillis() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
}

#if canImport(Glibc)
import Glibc
#endif
