/// `HELLO`: what a worker tells the broker about itself when it connects.
public struct Hello: SchemaBody, Equatable {
    public static let schemaName = "hello"
    /// Largest `HELLO` body accepted (PROTOCOL.md 9).
    public static let maxBytes = 4096
    public var name: String
    public var host: String
    public var pid: Int
    public var incarnation: String
    public var concurrency: Int
    public var version: String
    /// Kinds the worker handles; nil = every kind.
    public var kinds: [String]?
    /// Broker commands beyond `JOB` the worker understands (`JOBX`, `CANCEL`); nil = none.
    public var accepts: [String]?

    /// The commands a Karez worker accepts.
    public static let extensions = ["JOBX", "CANCEL", Pack.accepts]

    public init(name: String, host: String, pid: Int, incarnation: String, concurrency: Int, version: String, kinds: [String]? = nil,
                accepts: [String]? = nil) {
        (self.name, self.host, self.pid, self.incarnation) = (name, host, pid, incarnation)
        (self.concurrency, self.version, self.kinds, self.accepts) = (concurrency, version, kinds, accepts)
    }

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> Hello? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["name", "host", "pid", "incarnation", "concurrency", "version"], optional: ["kinds", "accepts"])
        let name = c.string(o, "name", at: "", max: 200)
        let host = c.string(o, "host", at: "", max: 255)
        let pid = c.integer(o, "pid", at: "", minimum: 1)
        let incarnation = c.string(o, "incarnation", at: "", max: 64)
        let concurrency = c.integer(o, "concurrency", at: "", minimum: 1, maximum: 1024)
        let version = c.string(o, "version", at: "", max: 64)
        var kinds: [String]?
        if let items = c.array(o, "kinds", at: "", maxItems: .max) {
            kinds = items.enumerated().compactMap { i, v in
                c.string(v, at: JSONPointer.append("/kinds", i), max: .max, pattern: Patterns.isKindName, patternHint: "a kind name")
            }
        }
        var accepts: [String]?
        if let items = c.array(o, "accepts", at: "", maxItems: 16) {
            accepts = items.enumerated().compactMap { i, v in
                c.string(v, at: JSONPointer.append("/accepts", i), max: 32, pattern: { $0.utf8.allSatisfy { (0x41...0x5A).contains($0) } },
                         patternHint: "a command name (A-Z)")
            }
        }
        guard c.isValid, let name, let host, let pid, let incarnation, let concurrency, let version else { return nil }
        return Hello(name: name, host: host, pid: pid, incarnation: incarnation, concurrency: concurrency, version: version, kinds: kinds,
                     accepts: accepts)
    }

    /// The body as JSON.
    public var json: JSONValue {
        var o = JSONObject([("name", .string(name)), ("host", .string(host)), ("pid", .number(Double(pid))),
                            ("incarnation", .string(incarnation)), ("concurrency", .number(Double(concurrency))),
                            ("version", .string(version))])
        if let kinds { o["kinds"] = .array(kinds.map(JSONValue.string)) }
        if let accepts { o["accepts"] = .array(accepts.map(JSONValue.string)) }
        return .object(o)
    }
}

/// `WELCOME`: the broker's answer to `HELLO`, with the timing the worker must keep.
public struct Welcome: SchemaBody, Equatable {
    public static let schemaName = "welcome"
    public var broker: String
    public var incarnation: String
    public var heartbeatMilliseconds: Int
    public var leaseMilliseconds: Int
    public var maxItemBytes: Int
    public var version: String
    /// Most credit plus jobs in flight the broker grants this worker (optional; beyond it `ERR
    /// credit_limit`).
    public var maxCredit: Int?

    public init(broker: String, incarnation: String, heartbeatMilliseconds: Int, leaseMilliseconds: Int, maxItemBytes: Int, version: String,
                maxCredit: Int? = nil) {
        (self.broker, self.incarnation, self.heartbeatMilliseconds) = (broker, incarnation, heartbeatMilliseconds)
        (self.leaseMilliseconds, self.maxItemBytes, self.version, self.maxCredit) = (leaseMilliseconds, maxItemBytes, version, maxCredit)
    }

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> Welcome? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["broker", "incarnation", "heartbeat_ms", "lease_ms", "max_item_bytes", "version"], optional: ["max_credit"])
        let broker = c.string(o, "broker", at: "", max: 200)
        let incarnation = c.string(o, "incarnation", at: "", max: 64)
        let hb = c.integer(o, "heartbeat_ms", at: "", minimum: 100)
        let lease = c.integer(o, "lease_ms", at: "", minimum: 100)
        let maxBytes = c.integer(o, "max_item_bytes", at: "", minimum: 1)
        let version = c.string(o, "version", at: "", max: 64)
        let maxCredit = o["max_credit"] == nil ? nil : c.integer(o, "max_credit", at: "", minimum: 1)
        guard c.isValid, let broker, let incarnation, let hb, let lease, let maxBytes, let version else { return nil }
        return Welcome(broker: broker, incarnation: incarnation, heartbeatMilliseconds: hb, leaseMilliseconds: lease,
                       maxItemBytes: maxBytes, version: version, maxCredit: maxCredit)
    }

    public var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("broker", .string(broker)), ("incarnation", .string(incarnation)), ("heartbeat_ms", .number(Double(heartbeatMilliseconds))),
            ("lease_ms", .number(Double(leaseMilliseconds))), ("max_item_bytes", .number(Double(maxItemBytes))), ("version", .string(version)),
        ]
        if let maxCredit { members.append(("max_credit", .number(Double(maxCredit)))) }
        return .object(JSONObject(uniqueKeysWithValues: members))
    }
}

/// `PONG`: what a broker tells a producer that sent `PING`.
public struct Pong: SchemaBody, Equatable {
    public static let schemaName = "pong"
    public var broker: String
    public var incarnation: String
    public var version: String
    public var kinds: [String]
    public var maxItemBytes: Int
    public var maxBatch: Int
    /// The level the broker acknowledges at: memory, written or fsynced.
    public var durability: String
    /// Most items the broker holds accepted and not yet finished (beyond it, `BUSY`); optional.
    public var maxQueuedItems: Int?

    public init(broker: String, incarnation: String, version: String, kinds: [String], maxItemBytes: Int, maxBatch: Int,
                durability: String, maxQueuedItems: Int? = nil) {
        (self.broker, self.incarnation, self.version, self.kinds) = (broker, incarnation, version, kinds)
        (self.maxItemBytes, self.maxBatch, self.durability, self.maxQueuedItems) = (maxItemBytes, maxBatch, durability, maxQueuedItems)
    }

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> Pong? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["broker", "incarnation", "version", "kinds", "max_item_bytes", "max_batch", "durability"],
                  optional: ["max_queued_items"])
        let broker = c.string(o, "broker", at: "", max: 200)
        let incarnation = c.string(o, "incarnation", at: "", max: 64)
        let version = c.string(o, "version", at: "", max: 64)
        let kinds = c.array(o, "kinds", at: "", maxItems: .max)?.enumerated().compactMap { i, v in
            c.string(v, at: JSONPointer.append("/kinds", i), max: .max, pattern: Patterns.isKindName, patternHint: "a kind name")
        }
        let maxBytes = c.integer(o, "max_item_bytes", at: "", minimum: 1)
        let maxBatch = c.integer(o, "max_batch", at: "", minimum: 1)
        let durability = c.oneOf(o, "durability", at: "", ["memory", "written", "fsynced"])
        let maxQueued = o["max_queued_items"] == nil ? nil : c.integer(o, "max_queued_items", at: "", minimum: 1)
        guard c.isValid, let broker, let incarnation, let version, let kinds, let maxBytes, let maxBatch, let durability else { return nil }
        return Pong(broker: broker, incarnation: incarnation, version: version, kinds: kinds, maxItemBytes: maxBytes,
                    maxBatch: maxBatch, durability: durability, maxQueuedItems: maxQueued)
    }

    public var json: JSONValue {
        var o: JSONValue = ["broker": .string(broker), "incarnation": .string(incarnation), "version": .string(version),
                            "kinds": .array(kinds.map(JSONValue.string)), "max_item_bytes": .number(Double(maxItemBytes)),
                            "max_batch": .number(Double(maxBatch)), "durability": .string(durability)]
        if let maxQueuedItems, case .object(var members) = o {
            members["max_queued_items"] = .number(Double(maxQueuedItems))
            o = .object(members)
        }
        return o
    }
}
