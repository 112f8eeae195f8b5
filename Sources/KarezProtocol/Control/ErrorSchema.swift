/// Decoding of error bodies received from peers (`error.schema.json`).
enum ErrorSchema {
    static func decode(_ json: JSONValue) -> Result<ErrorBody, ErrorBody> {
        var c = SchemaChecker()
        let body = decode(json, &c)
        if let body, c.isValid { return .success(body) }
        return .failure(ErrorBody(errors: c.violations))
    }

    static func decode(_ json: JSONValue, _ c: inout SchemaChecker) -> ErrorBody? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["errors"], optional: ["id", "kind", "command", "ids"])
        let id = c.string(o, "id", at: "", min: 0, max: .max)
        let kind = c.string(o, "kind", at: "", min: 0, max: .max)
        let command = c.string(o, "command", at: "", max: 32, pattern: Patterns.isCommand, patternHint: "an upper-case command")
        let ids = c.array(o, "ids", at: "", minItems: 1, maxItems: 1000).map { values in
            values.enumerated().compactMap { i, v in c.string(v, at: JSONPointer.append("/ids", i), min: 0, max: .max) }
        }
        var errors: [Violation] = []
        for (i, item) in (c.array(o, "errors", at: "", minItems: 1, maxItems: ErrorBody.maxErrors) ?? []).enumerated() {
            let p = JSONPointer.append("/errors", i)
            guard let e = c.object(item, at: p) else { continue }
            c.members(e, at: p, required: ["path", "code", "message"], optional: [])
            let path = c.string(e, "path", at: p, min: 0, max: .max, pattern: Patterns.isJSONPointer, patternHint: "a JSON Pointer")
            let code = c.string(e, "code", at: p, max: .max, pattern: Patterns.isErrorCode, patternHint: "a snake_case code")
            let message = c.string(e, "message", at: p, max: 2000)
            if let path, let code, let message { errors.append(Violation(path: path, code: code, message: message)) }
        }
        guard c.isValid else { return nil }
        var body = ErrorBody(id: id, kind: kind, errors: errors)
        body.command = command
        body.ids = ids
        return body
    }
}

/// `error.schema.json` as a ``SchemaBody``, so the vector tests treat it like the others.
public struct ErrorBodySchema: SchemaBody {
    public static let schemaName = "error"
    public let body: ErrorBody
    public static func decode(_ json: JSONValue, checker: inout SchemaChecker) -> ErrorBodySchema? {
        ErrorSchema.decode(json, &checker).map(ErrorBodySchema.init(body:))
    }
}
