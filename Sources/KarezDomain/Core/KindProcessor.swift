import KarezProtocol

/// Validation and enrichment of one kind of work item: pure functions over values, no sockets.
///
/// A kind lives in its own folder (`News/`, `Patient/`, `Lead/`) and is registered with one line
/// in ``KindRegistry``.
public protocol KindProcessor: Sendable {
    /// The kind's name on the wire (`news`, `patient`, `lead`).
    var kind: String { get }

    /// Checks `body` against the kind's schema and domain rules and, when it passes, builds the
    /// record to store. A failure lists every violation (JSON Pointer, code, message).
    func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody>

    /// The same for a body as the JSON bytes a worker receives: what `process(_:context:)` gives
    /// for the parsed body, or a `not_json` / `invalid_utf8` error. A kind may decode its valid
    /// bodies straight from the bytes here; the default parses them into a tree first.
    func process(bytes: UnsafeRawBufferPointer, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody>

    /// The body as it may be kept outside the journal when it is not stored (the rejected list,
    /// dead letters): personal data replaced as in stored records, whether or not the body is
    /// valid. `pseudonymizer` nil (a broker without the key) replaces it with `"[redacted]"`.
    /// The default withholds the body whole (a kind that carries no personal data may return it
    /// unchanged).
    func redacted(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8]
}

extension KindProcessor {
    public func redacted(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        JSONWriter.bytes(["withheld": .string("a body of kind \(kind) (\(body.count) bytes); this kind keeps no body outside the journal")])
    }
    /// Parses the bytes, then ``process(_:context:)``.
    public func process(bytes: UnsafeRawBufferPointer, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        processParsed(bytes: bytes, context: context)
    }

    /// Parses the bytes (marking the end of decoding), then ``process(_:context:)``: the path
    /// every body can take, and the one that reports what is wrong with a body.
    public func processParsed(bytes: UnsafeRawBufferPointer, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let json: JSONValue
        do throws(JSONParseError) { json = try JSONParser.parse(bytes) } catch {
            return .failure(ErrorBody(code: error.code, message: error.description))
        }
        context.stageMarks?.decoded()
        return process(json, context: context)
    }
}

/// What processing may depend on besides the body: today's date (for "not in the future"),
/// and the pseudonymiser for personal data.
public struct ProcessingContext: Sendable {
    /// Dates after this are in the future.
    public var today: CalendarDate
    /// Replaces personal identifiers with keyed pseudonyms.
    public var pseudonymizer: Pseudonymizer
    /// Per job in a worker: processors mark the end of validation here, so validate and
    /// enrich are timed as separate stages. Nil elsewhere.
    public var stageMarks: StageMarks?

    public init(today: CalendarDate = .today(), pseudonymizer: Pseudonymizer) {
        self.today = today
        self.pseudonymizer = pseudonymizer
    }
}

/// When decoding and validation of one job ended (validation and enrichment start there). Used
/// by one task at a time.
public final class StageMarks: @unchecked Sendable {
    public private(set) var decodedAt: ContinuousClock.Instant?
    public private(set) var validatedAt: ContinuousClock.Instant?
    public init() {}
    /// Called once the body is decoded (parsed into a tree, or read into its kind's value).
    public func decoded() { decodedAt = .now }
    /// Called by a processor once the item passed validation, before enriching it.
    public func validated() { validatedAt = .now }
}

/// A processed item: what gets stored, and the domain figures it contributes.
public struct ProcessedItem: Sendable, Equatable {
    public var id: String
    public var kind: String
    /// The body as stored, as compact JSON: the original, with personal data already replaced by
    /// pseudonyms.
    public var bodyJSON: [UInt8]
    /// The enrichment as compact JSON (its fields are documented in proto-json and part of the
    /// stored record).
    public var enrichmentJSON: [UInt8]
    /// Domain counters this item adds once (patients seen, agreements signed, ...). Stored in
    /// the same transaction as the item, so reports stay exact under redelivery.
    public var facts: [DomainFact]

    /// An item whose body and enrichment were written as JSON already.
    public init(id: String, kind: String, bodyJSON: [UInt8], enrichmentJSON: [UInt8], facts: [DomainFact]) {
        (self.id, self.kind, self.bodyJSON, self.enrichmentJSON, self.facts) = (id, kind, bodyJSON, enrichmentJSON, facts)
    }

    /// The stored body as a tree (parsed from ``bodyJSON``).
    public var body: JSONValue { (try? JSONParser.parse(bodyJSON)) ?? .null }

    /// The enrichment as a tree (parsed from ``enrichmentJSON``).
    public var enrichment: JSONValue { (try? JSONParser.parse(enrichmentJSON)) ?? .null }

    /// The stored record as compact JSON: `{"id", "kind", "body", "enrichment"}`.
    public var recordJSON: [UInt8] {
        // The short head in a sink, then body and enrichment copied once into a record of the
        // right size.
        var head = JSONByteSink(capacity: id.utf8.count + kind.utf8.count + 32)
        head.writeMember("{\"id\":", id)
        head.writeMember(",\"kind\":", kind)
        head.append(",\"body\":")
        let enrichmentKey: StaticString = ",\"enrichment\":"
        var record: [UInt8] = []
        record.reserveCapacity(head.count + bodyJSON.count + enrichmentKey.utf8CodeUnitCount + enrichmentJSON.count + 1)
        head.append(to: &record)
        record.append(contentsOf: bodyJSON)
        record.append(contentsOf: UnsafeBufferPointer(start: enrichmentKey.utf8Start, count: enrichmentKey.utf8CodeUnitCount))
        record.append(contentsOf: enrichmentJSON)
        record.append(UInt8(ascii: "}"))
        return record
    }

    /// The stored record as a tree: `{"id", "kind", "body", "enrichment"}`.
    public var record: JSONValue {
        .object(JSONObject([("id", .string(id)), ("kind", .string(kind)), ("body", body), ("enrichment", enrichment)]))
    }
}

/// One domain counter increment, such as `patient_visits{kind=surgery, facility=…} += 1`.
public struct DomainFact: Sendable, Equatable, Hashable {
    /// Metric-style name (`[a-z_][a-z0-9_]*`).
    public var name: String
    /// Label pairs, sorted by name.
    public var labels: [String: String]
    public var value: Double

    public init(_ name: String, _ labels: [String: String] = [:], _ value: Double = 1) {
        (self.name, self.labels, self.value) = (name, labels, value)
    }
}

extension DomainFact {
    /// A fact's name and labels as one key. Hashing it hashes bytes: Swift hashes a non-ASCII
    /// `String` through Unicode normalisation, which made summing facts with Chinese labels
    /// (facilities, outlets) the most expensive step of storing a batch.
    public struct Group: Hashable, Sendable {
        public let name: String
        public let labels: [String: String]
        /// `name`, then each label name and value in label-name order, separated by 0x1F.
        private let bytes: [UInt8]

        public init(name: String, labels: [String: String]) {
            self.name = name
            self.labels = labels
            var b = Array(name.utf8)
            for (k, v) in labels.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
                b.append(0x1F)
                b += k.utf8
                b.append(0x1F)
                b += v.utf8
            }
            bytes = b
        }

        public func hash(into hasher: inout Hasher) { bytes.withUnsafeBytes { hasher.combine(bytes: $0) } }
        public static func == (a: Group, b: Group) -> Bool { a.bytes == b.bytes }
    }

    /// Facts summed by name and labels, in the order each group first appears.
    public static func sum(_ facts: some Sequence<DomainFact>) -> [(group: Group, value: Double)] {
        var index: [Group: Int] = [:]
        var out: [(group: Group, value: Double)] = []
        for f in facts {
            let g = Group(name: f.name, labels: f.labels)
            if let i = index[g] {
                out[i].value += f.value
            } else {
                index[g] = out.count
                out.append((g, f.value))
            }
        }
        return out
    }
}
