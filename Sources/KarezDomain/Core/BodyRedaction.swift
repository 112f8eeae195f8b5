import KarezProtocol

/// Pieces of the kinds' redaction (``KindProcessor/redacted(_:pseudonymizer:)``): what a body
/// that is not stored may keep outside the journal. Everything is allow-listed: members the
/// kind's schema does not define are dropped, since a misplaced value may be personal.
enum BodyRedaction {
    /// The parsed body as an object, or nil when it is not one (then it is withheld whole).
    static func object(_ body: [UInt8]) -> JSONObject? {
        guard case .object(let o)? = try? JSONParser.parse(body) else { return nil }
        return o
    }

    /// What replaces a body that is not a JSON object.
    static func withheld(_ body: [UInt8], _ reason: String) -> [UInt8] {
        JSONWriter.bytes(["withheld": .string("\(reason) (\(body.count) bytes); it may hold personal data")])
    }

    /// `object` with only the members named in `names`.
    static func keeping(_ names: Set<String>, of object: JSONObject) -> JSONObject {
        JSONObject(uniqueKeysWithValues: object.members.filter { names.contains($0.key) })
    }

    /// The keyed pseudonym of a personal value (`"[redacted]"` without a key or for a value that
    /// is not a string).
    static func pseudonym(_ value: JSONValue, domain: String, _ pseudonymizer: Pseudonymizer?) -> JSONValue {
        guard let pseudonymizer, case .string(let text) = value else { return "[redacted]" }
        return .string(pseudonymizer.pseudonym(text, domain: domain))
    }

    /// `value` when `keep` holds for it, else `"[redacted]"`.
    static func checked(_ value: JSONValue, _ keep: (JSONValue) -> Bool) -> JSONValue { keep(value) ? value : "[redacted]" }
}
