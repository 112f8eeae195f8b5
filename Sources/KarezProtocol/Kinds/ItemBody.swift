/// A JSON body that proto-json defines a schema for: a work item's kind or a control frame.
public protocol SchemaBody: Sendable {
    /// The schema's name: the file `proto-json/schemas/<name>.schema.json`.
    static var schemaName: String { get }
    /// Checks `json` against the schema, recording every violation, and builds the value when
    /// there were none.
    static func decode(_ json: JSONValue, checker: inout SchemaChecker) -> Self?
}

extension SchemaBody {
    /// The value, or every way in which `json` breaks the schema.
    public static func decode(_ json: JSONValue) -> Result<Self, ErrorBody> { decode(json, received: false) }

    /// - Parameter received: a control body from a peer: unknown members are ignored (6.3).
    public static func decode(_ json: JSONValue, received: Bool) -> Result<Self, ErrorBody> {
        var checker = SchemaChecker(ignoresUnknownMembers: received)
        let value = decode(json, checker: &checker)
        if let value, checker.isValid { return .success(value) }
        return .failure(ErrorBody(errors: checker.violations))
    }

    /// Parses JSON bytes and decodes them; a parse failure is a `not_json` or `invalid_utf8` violation.
    public static func decode(bytes: UnsafeRawBufferPointer) -> Result<Self, ErrorBody> { decode(bytes: bytes, received: false) }

    /// As ``decode(bytes:)``; with `received`, unknown members of a peer's control body are ignored.
    public static func decode(bytes: UnsafeRawBufferPointer, received: Bool) -> Result<Self, ErrorBody> {
        do throws(JSONParseError) {
            let json = try JSONParser.parse(bytes)
            return decode(json, received: received)
        } catch {
            return .failure(ErrorBody(code: error.code, message: error.description))
        }
    }
}

/// The id rule shared by every kind: `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`.
enum ItemID {
    static let hint = "an id: 1 to 128 of A-Z a-z 0-9 . _ : - starting with a letter or digit"

    static func check(_ object: JSONObject, _ checker: inout SchemaChecker) -> String? {
        checker.string(object, "id", at: "", max: 128, pattern: Patterns.isItemID, patternHint: hint)
    }
}
