/// An operator command to the broker (`KZ1 CTL request-json`, PROTOCOL.md 3.7).
public enum ControlRequest: Sendable, Equatable {
    /// Limits for a kind: jobs in flight at once and deliveries per second (0 lifts a limit,
    /// nil leaves it as it is).
    case limit(kind: String, concurrency: Int?, rate: Double?)
    /// Stop handing out jobs of a kind (queued and scheduled items wait; jobs in flight finish).
    case pause(kind: String)
    /// Hand out jobs of a paused kind again.
    case resume(kind: String)
    /// Cancel items of a kind by id: queued ones are never delivered, in-flight ones are
    /// cancelled at their worker; each ends `cancelled`.
    case cancel(kind: String, ids: [String])
    /// Queues, limits, paused kinds and scheduled counts.
    case status

    /// Most ids one `cancel` may name.
    public static let maxIDs = 1000
    /// Highest rate limit, per second.
    public static let maxRate = 1_000_000.0
    /// Lowest rate limit other than 0 (none): one delivery a day.
    public static let minRate = 1.0 / 86_400
    /// Largest request.
    public static let maxBytes = 256 << 10

    /// The request as JSON.
    public var json: JSONValue {
        switch self {
        case .limit(let kind, let concurrency, let rate):
            var o = JSONObject([("action", .string("limit")), ("kind", .string(kind))])
            if let concurrency { o["concurrency"] = .number(Double(concurrency)) }
            if let rate { o["rate"] = .number(rate) }
            return .object(o)
        case .pause(let kind): return .object(JSONObject([("action", .string("pause")), ("kind", .string(kind))]))
        case .resume(let kind): return .object(JSONObject([("action", .string("resume")), ("kind", .string(kind))]))
        case .cancel(let kind, let ids):
            return .object(JSONObject([("action", .string("cancel")), ("kind", .string(kind)), ("ids", .array(ids.map(JSONValue.string)))]))
        case .status: return .object(JSONObject([("action", .string("status"))]))
        }
    }

    /// Reads a request; the error names each member that is wrong (code `bad_frame` for a frame
    /// that is no JSON object, schema codes otherwise).
    public static func decode(_ bytes: some Collection<UInt8>) -> Result<ControlRequest, ErrorBody> {
        guard bytes.count <= maxBytes else {
            return .failure(ErrorBody(code: "too_large", message: "CTL request of \(bytes.count) bytes; at most \(maxBytes)"))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(Array(bytes)) } catch {
            return .failure(ErrorBody(code: error.code, message: "CTL request is not JSON: \(error.description)"))
        }
        var c = SchemaChecker()
        let request = decode(json, checker: &c)
        guard c.isValid, let request else { return .failure(ErrorBody(errors: Array(c.violations.prefix(100)))) }
        return .success(request)
    }
}

extension ControlRequest: SchemaBody {
    public static let schemaName = "control"

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> ControlRequest? {
        guard let o = c.object(json, at: "") else { return nil }
        let action = c.oneOf(o, "action", at: "", ["limit", "pause", "resume", "cancel", "status"])
        let optional: [String] = switch action {
        case "limit": ["concurrency", "rate"]
        case "cancel": ["ids"]
        default: []
        }
        c.members(o, at: "", required: action == "status" || action == nil ? ["action"] : ["action", "kind"], optional: optional)
        let kind = c.string(o, "kind", at: "", max: 32, pattern: Patterns.isKindName, patternHint: "a kind name")
        var request: ControlRequest?
        switch action {
        case "limit":
            let concurrency = c.integer(o, "concurrency", at: "", minimum: 0, maximum: 1_000_000)
            let rate = c.number(o, "rate", at: "", minimum: 0, maximum: maxRate)
            if let rate, rate > 0, rate < minRate {
                c.fail("/rate", "minimum", "must be 0 (no limit) or at least one a day (\(minRate) per second)")
            }
            if o["concurrency"] == nil, o["rate"] == nil { c.fail("/concurrency", "required", "give concurrency, rate or both (0 lifts a limit)") }
            if let kind { request = .limit(kind: kind, concurrency: concurrency, rate: rate) }
        case "pause": if let kind { request = .pause(kind: kind) }
        case "resume": if let kind { request = .resume(kind: kind) }
        case "cancel":
            let ids = c.array(o, "ids", at: "", minItems: 1, maxItems: maxIDs).map { list in
                list.enumerated().compactMap { i, v in
                    c.string(v, at: JSONPointer.append("/ids", i), max: 128, pattern: Patterns.isItemID, patternHint: "an item id")
                }
            }
            if o["ids"] == nil { c.fail("/ids", "required", "'ids' is required: the ids to cancel") }
            if let kind, let ids { request = .cancel(kind: kind, ids: ids) }
        case "status": request = .status
        default: break
        }
        return c.isValid ? request : nil
    }
}
