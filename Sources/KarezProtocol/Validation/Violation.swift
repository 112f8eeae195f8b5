/// One reason an item or frame was refused: where (a JSON Pointer into the body), a stable
/// machine code, and a message for people. The entries of every error body.
public struct Violation: Sendable, Equatable, CustomStringConvertible {
    /// RFC 6901 JSON Pointer into the item body; `""` is the whole body.
    public var path: String
    /// Stable snake_case code such as `required`, `pattern`, `checksum` (see PROTOCOL.md).
    public var code: String
    /// What is wrong and how to fix it.
    public var message: String

    public init(path: String, code: String, message: String) {
        self.path = path
        self.code = code
        self.message = message
    }

    public var description: String { "\(path.isEmpty ? "(body)" : path): \(code): \(message)" }

    /// The entry as a JSON object.
    public var json: JSONValue {
        .object(JSONObject([("path", .string(path)), ("code", .string(code)), ("message", .string(message))]))
    }
}

/// The error body of `NAK`, `FAIL` and `ERR` frames: `{"id"?, "kind"?, "errors": [...]}`.
public struct ErrorBody: Error, Sendable, Equatable {
    /// Most entries an error body carries; further ones are summarised in the last entry.
    public static let maxErrors = 100

    public var id: String?
    public var kind: String?
    public var errors: [Violation]
    /// In `ERR`: the command of the refused message, when it was readable.
    public var command: String?
    /// In `ERR` of a `PUB` or `PUBW`: the id frames of the refused message (at most 1000), so a
    /// producer with many messages in flight knows which items to resend or drop.
    public var ids: [String]?

    public init(id: String? = nil, kind: String? = nil, errors: [Violation]) {
        self.id = id
        self.kind = kind
        self.errors = errors
    }

    /// One-entry body.
    public init(id: String? = nil, kind: String? = nil, path: String = "", code: String, message: String) {
        self.init(id: id, kind: kind, errors: [Violation(path: path, code: code, message: message)])
    }

    /// The body as JSON, capped at ``maxErrors`` entries and 2000 characters a message.
    public var json: JSONValue {
        var entries = errors.prefix(Self.maxErrors).map { v -> JSONValue in
            var v = v
            if v.message.unicodeScalars.count > 2000 { v.message = String(v.message.unicodeScalars.prefix(1997)) + "..." }
            return v.json
        }
        if errors.count > Self.maxErrors {
            entries[entries.count - 1] = Violation(path: "", code: "too_many_errors",
                                                   message: "\(errors.count - Self.maxErrors + 1) more errors not shown").json
        }
        var object = JSONObject()
        if let id { object["id"] = .string(id) }
        if let kind { object["kind"] = .string(kind) }
        if let command { object["command"] = .string(command) }
        if let ids { object["ids"] = .array(ids.prefix(1000).map { .string($0) }) }
        object["errors"] = .array(entries)
        return .object(object)
    }

    /// The body as compact JSON bytes, ready for a frame.
    public var bytes: [UInt8] { JSONWriter.bytes(json) }

    /// Reads an error body received from a peer, checking it against `error.schema.json`.
    public static func decode(_ value: JSONValue) -> Result<ErrorBody, ErrorBody> {
        ErrorSchema.decode(value)
    }
}

/// Builds JSON Pointers (RFC 6901), escaping `~` and `/` in member names.
public enum JSONPointer {
    /// `base` extended by one member name or array index.
    public static func append(_ base: String, _ token: String) -> String {
        if !token.utf8.contains(where: { $0 == 0x7E || $0 == 0x2F }) {
            var out = base
            out.reserveCapacity(base.utf8.count + 1 + token.utf8.count)
            out.append("/")
            out.append(token)
            return out
        }
        return base + "/" + token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    public static func append(_ base: String, _ index: Int) -> String { base + "/" + String(index) }
}

extension String {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
