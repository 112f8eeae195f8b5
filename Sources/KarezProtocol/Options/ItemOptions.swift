#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a producer may ask of the broker for one item (`PUBX`, PROTOCOL.md 3.6): when it may
/// start, how urgent it is, until when it may start at all, and the trace it belongs to.
public struct ItemOptions: Sendable, Equatable {
    /// A time given relative to the broker's acceptance of the item, or as a wall-clock instant.
    public enum Time: Sendable, Equatable {
        /// Milliseconds after the broker accepted the item.
        case after(milliseconds: UInt64)
        /// Milliseconds since the Unix epoch (UTC).
        case at(unixMilliseconds: UInt64)

        /// The broker time this names, for an item accepted at `accepted` (Unix milliseconds).
        public func resolved(acceptedAt accepted: UInt64) -> UInt64 {
            switch self {
            case .after(let ms): accepted &+ ms
            case .at(let t): t
            }
        }
    }

    /// Not delivered before this (`delay_ms` or `not_before`); nil: at once.
    public var start: Time?
    /// 0 (the default, lowest) to 9 (highest): higher priorities are delivered first.
    public var priority: Int
    /// An item not started by then ends `expired` (`ttl_ms` or `expires_at`); nil: never.
    public var expiry: Time?
    /// The W3C trace context of the item (`traceparent`), carried to the worker and the store.
    public var traceparent: String?

    public init(start: Time? = nil, priority: Int = 0, expiry: Time? = nil, traceparent: String? = nil) {
        (self.start, self.priority, self.expiry, self.traceparent) = (start, priority, expiry, traceparent)
    }

    /// Highest priority.
    public static let maxPriority = 9
    /// Longest delay or time to live: a year.
    public static let maxMilliseconds: UInt64 = 366 * 86_400_000
    /// Largest options frame.
    public static let maxBytes = 1024

    /// True when nothing is asked (an item published with `PUB`).
    public var isEmpty: Bool { start == nil && priority == 0 && expiry == nil && traceparent == nil }

    /// The options as the JSON object of a `PUBX` options frame (members in a fixed order).
    public var json: JSONValue {
        var o = JSONObject()
        switch start {
        case .after(let ms): o["delay_ms"] = .number(Double(ms))
        case .at(let t): o["not_before"] = .string(RFC3339.format(epochSeconds: Double(t) / 1000))
        case nil: break
        }
        if priority != 0 { o["priority"] = .number(Double(priority)) }
        switch expiry {
        case .after(let ms): o["ttl_ms"] = .number(Double(ms))
        case .at(let t): o["expires_at"] = .string(RFC3339.format(epochSeconds: Double(t) / 1000))
        case nil: break
        }
        if let traceparent { o["traceparent"] = .string(traceparent) }
        return .object(o)
    }

    /// The options frame: empty for no options, else the JSON object.
    public var frame: [UInt8] { isEmpty ? [] : JSONWriter.bytes(json) }

    /// Reads an options frame: empty (no options) or a JSON object of the members above. Every
    /// problem is reported with its path under `/options` and code `bad_options`, or the schema
    /// code of what is wrong.
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<ItemOptions, ErrorBody> {
        if bytes.isEmpty { return .success(ItemOptions()) }
        guard bytes.count <= maxBytes else {
            return .failure(ErrorBody(path: "/options", code: "too_large", message: "the options frame is \(bytes.count) bytes; at most \(maxBytes)"))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(Array(bytes)) } catch {
            return .failure(ErrorBody(path: "/options", code: error.code, message: "the options frame is not JSON: \(error.description)"))
        }
        return decode(json, at: "/options")
    }

    /// Reads options from a JSON object (an options frame, or the `karez` member of a line for
    /// `karez publish`); `path` prefixes the paths of the violations.
    public static func decode(_ json: JSONValue, at path: String) -> Result<ItemOptions, ErrorBody> {
        var c = SchemaChecker()
        guard let options = decode(json, at: path, &c), c.isValid else { return .failure(ErrorBody(errors: Array(c.violations.prefix(100)))) }
        return .success(options)
    }

    static func decode(_ json: JSONValue, at path: String, _ c: inout SchemaChecker) -> ItemOptions? {
        guard let o = json.objectValue else {
            // The options as a whole, wherever they sit: not_object, as for a body.
            c.fail(path, "not_object", "the options must be a JSON object, got \(json.typeName)")
            return nil
        }
        c.members(o, at: path, required: [], optional: ["delay_ms", "not_before", "priority", "ttl_ms", "expires_at", "traceparent"])
        var options = ItemOptions()
        options.start = time(&c, o, relative: "delay_ms", absolute: "not_before", at: path, minimum: 0)
        options.expiry = time(&c, o, relative: "ttl_ms", absolute: "expires_at", at: path, minimum: 1)
        options.priority = c.integer(o, "priority", at: path, minimum: 0, maximum: maxPriority) ?? 0
        options.traceparent = c.string(o, "traceparent", at: path, min: 55, max: 55, pattern: TraceParent.isValid,
                                       patternHint: "a W3C traceparent, version 00: 00-<32 hex trace id, not all 0>-<16 hex parent id, not all 0>-<2 hex flags>, lower case")
        return c.isValid ? options : nil
    }

    private static func time(_ c: inout SchemaChecker, _ o: JSONObject, relative: String, absolute: String, at path: String, minimum: Int) -> Time? {
        if o[relative] != nil, o[absolute] != nil {
            c.fail(JSONPointer.append(path, absolute), "inconsistent", "give \(relative) or \(absolute), not both")
            return nil
        }
        if let ms = c.integer(o, relative, at: path, minimum: minimum, maximum: Int(maxMilliseconds)) { return .after(milliseconds: UInt64(ms)) }
        guard let text = c.string(o, absolute, at: path, max: 64) else { return nil }
        guard let t = Timestamp.parse(text)?.unixMilliseconds else {
            c.fail(JSONPointer.append(path, absolute), "format", "must be an RFC 3339 date-time with an offset, e.g. 2026-12-06T18:00:00Z")
            return nil
        }
        // A time before 1970 is long past: at once (not_before), already expired (expires_at).
        return .at(unixMilliseconds: UInt64(max(1, t)))
    }
}

/// The options frames of one `PUBX` already decoded: a producer sends the same few again and
/// again (one set per run, or one per priority), and decoding is a pure function of the bytes,
/// so each distinct frame is parsed once per message.
public struct OptionsCache {
    private var entries: [(bytes: [UInt8], result: Result<ItemOptions, ErrorBody>)] = []
    /// Distinct frames kept; later ones are decoded each time.
    static let capacity = 16

    public init() {}

    public mutating func decode(_ frame: UnsafeRawBufferPointer) -> Result<ItemOptions, ErrorBody> {
        if frame.isEmpty { return .success(ItemOptions()) }
        for e in entries where e.bytes.count == frame.count && e.bytes.withUnsafeBytes({ memcmp($0.baseAddress!, frame.baseAddress!, frame.count) == 0 }) {
            return e.result
        }
        let result = ItemOptions.decode(frame)
        if entries.count < Self.capacity { entries.append((Array(frame), result)) }
        return result
    }
}

extension ItemOptions: SchemaBody {
    public static let schemaName = "options"

    public static func decode(_ json: JSONValue, checker: inout SchemaChecker) -> ItemOptions? { decode(json, at: "", &checker) }
}

/// The W3C Trace Context `traceparent` header (version 00).
public enum TraceParent {
    /// True for `00-` + 32 lower-case hex digits (not all zero) + `-` + 16 (not all zero) + `-` + 2.
    public static func isValid(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 55, u[0] == 0x30, u[1] == 0x30, u[2] == 0x2D, u[35] == 0x2D, u[52] == 0x2D else { return false }
        func hex(_ r: Range<Int>) -> Bool { r.allSatisfy { (0x30...0x39).contains(u[$0]) || (0x61...0x66).contains(u[$0]) } }
        func zero(_ r: Range<Int>) -> Bool { r.allSatisfy { u[$0] == 0x30 } }
        return hex(3..<35) && hex(36..<52) && hex(53..<55) && !zero(3..<35) && !zero(36..<52)
    }
}

extension Timestamp {
    /// Milliseconds since the Unix epoch (the fraction of a second is dropped).
    public var unixMilliseconds: Int64 {
        (Int64(date.daysSinceEpoch) * 86_400 + Int64(secondOfDay) - Int64(offsetMinutes) * 60) * 1000
    }
}
