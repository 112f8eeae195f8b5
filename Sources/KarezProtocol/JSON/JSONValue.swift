/// A parsed JSON value. Objects keep their members in document order.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type name used in error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.rounded() == n && abs(n) < 1e18 ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { o } else { nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }

    /// The number when it is a whole number (JSON Schema's "integer", so 3.0 counts).
    public var integerValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < 9.0e18 else { return nil }
        return Int(n)
    }

    /// Looks up a member when this is an object.
    public subscript(key: String) -> JSONValue? { objectValue?[key] }
}

/// A JSON object: members in document order. A repeated key keeps its last value, as most
/// JSON parsers (and JSON Schema validators built on them) do.
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public init(_ members: [(String, JSONValue)]) {
        self.members.reserveCapacity(members.count)
        for (k, v) in members { self[k] = v }
    }

    /// An object of `members`, taken as they are: the keys must be distinct (checked in debug
    /// builds only). For objects whose keys are fixed by the code that builds them.
    public init(uniqueKeysWithValues members: [(key: String, value: JSONValue)]) {
        assert(Set(members.map(\.key)).count == members.count, "duplicate keys in \(members.map(\.key))")
        self.init(distinct: members)
    }

    /// An object of members whose keys are known to be distinct, without checks.
    init(distinct members: [(key: String, value: JSONValue)]) { self.members = members }

    /// The member's value, or nil when absent.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(of: key) else { return nil }
            return members[i].value
        }
        set {
            if let i = index(of: key) {
                if let newValue { members[i].value = newValue } else { members.remove(at: i) }
            } else if let newValue {
                members.append((key, newValue))
            }
        }
    }

    private func index(of key: String) -> Int? { Self.index(of: key, in: members) }

    /// The position of the member named `key` in `members`. Lengths are compared first: they are
    /// stored in the strings, and most names differ in length.
    static func index(of key: String, in members: [(key: String, value: JSONValue)]) -> Int? {
        let length = key.utf8.count
        return members.firstIndex { $0.key.utf8.count == length && $0.key == key }
    }

    /// Member names in document order.
    public var keys: [String] { members.map(\.key) }
    public var count: Int { members.count }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(JSONObject(elements)) }
    public init(nilLiteral: ()) { self = .null }
}
