/// Checks a JSON body against the rules of a proto-json schema, collecting every violation
/// with its JSON Pointer rather than stopping at the first.
///
/// Lengths count Unicode scalars, as JSON Schema's `minLength`/`maxLength` do.
public struct SchemaChecker: Sendable {
    /// Everything found wrong so far.
    public private(set) var violations: [Violation] = []
    /// Members a schema does not define are let pass, as a receiver of control bodies treats
    /// them (PROTOCOL.md 6.3: later `KZ1` peers may add optional members); item bodies and the
    /// test vectors are checked exactly.
    public var ignoresUnknownMembers = false
    /// False for kinds that carry personal data: messages then never quote a value, since a
    /// misplaced one (an ID in `sex`, a phone in `visit.kind`) may be personal.
    public var quotesValues = true

    public init(ignoresUnknownMembers: Bool = false) { self.ignoresUnknownMembers = ignoresUnknownMembers }

    /// True while nothing was found wrong.
    public var isValid: Bool { violations.isEmpty }

    /// Records a violation.
    public mutating func fail(_ path: String, _ code: String, _ message: String) {
        violations.append(Violation(path: path, code: code, message: message))
    }

    /// The value as an object, or a `type` violation (`not_object` for the whole body).
    public mutating func object(_ value: JSONValue, at path: String) -> JSONObject? {
        if let object = value.objectValue { return object }
        fail(path, path.isEmpty ? "not_object" : "type", "must be an object, got \(value.typeName)")
        return nil
    }

    /// Reports members that are missing (`required`) or not allowed (`unknown_field`).
    public mutating func members(_ object: JSONObject, at path: String, required: [String], optional: [String]) {
        for key in required where object[key] == nil {
            fail(JSONPointer.append(path, key), "required", "'\(key)' is required")
        }
        for (key, _) in object.members where !ignoresUnknownMembers && !required.contains(key) && !optional.contains(key) {
            let allowed = (required + optional).joined(separator: ", ")
            fail(JSONPointer.append(path, key), "unknown_field", "'\(key)' is not a field here (allowed: \(allowed))")
        }
    }

    /// A string member within length bounds, optionally matching a pattern.
    public mutating func string(
        _ object: JSONObject, _ key: String, at path: String, min: Int = 1, max: Int,
        pattern: ((String) -> Bool)? = nil, patternHint: String = "", personal: Bool = false
    ) -> String? {
        guard let value = object[key] else { return nil }
        return stringLazy(value, at: JSONPointer.append(path, key), min: min, max: max, pattern: pattern,
                          patternHint: patternHint, personal: personal)
    }

    /// A string value within length bounds, optionally matching a pattern.
    /// - Parameter personal: the value is personal data: error messages must not quote it.
    public mutating func string(
        _ value: JSONValue, at p: String, min: Int = 1, max: Int,
        pattern: ((String) -> Bool)? = nil, patternHint: String = "", personal: Bool = false
    ) -> String? {
        stringLazy(value, at: p, min: min, max: max, pattern: pattern, patternHint: patternHint, personal: personal)
    }

    /// As string(_:at:), building the path only on failure.
    mutating func stringLazy(
        _ value: JSONValue, at p: @autoclosure () -> String, min: Int = 1, max: Int,
        pattern: ((String) -> Bool)? = nil, patternHint: String = "", personal: Bool = false
    ) -> String? {
        guard case .string(let s) = value else {
            fail(p(), "type", "must be a string, got \(value.typeName)")
            return nil
        }
        let n = Self.length(s, min: min, max: max)
        var ok = true
        if n < min {
            fail(p(), "min_length", min == 1 ? "must not be empty" : "must have at least \(min) characters, has \(n)")
            ok = false
        } else if n > max {
            fail(p(), "max_length", "must have at most \(max) characters, has \(n)")
            ok = false
        }
        if ok, let pattern, !pattern(s) {
            fail(p(), "pattern", "\(personal ? "the value" : quoted(s)) is not \(patternHint)")
            ok = false
        }
        return ok ? s : nil
    }

    /// The length of `s` in Unicode scalars as far as the bounds `min...max` need it: scalars are
    /// counted only when the byte count cannot settle the bounds on its own.
    @inline(__always) static func length(_ s: String, min: Int, max: Int) -> Int {
        let bytes = s.utf8.count
        return bytes > max || (min > 1 && bytes >= min) ? s.unicodeScalars.count : bytes
    }

    /// True when `s` has `min...max` Unicode scalars (what ``string(_:at:min:max:pattern:patternHint:personal:)`` accepts).
    @inline(__always) static func fits(_ s: String, min: Int = 1, max: Int) -> Bool {
        let n = length(s, min: min, max: max)
        return n >= min && n <= max
    }

    /// A string member that must be one of `allowed`.
    public mutating func oneOf(_ object: JSONObject, _ key: String, at path: String, _ allowed: [String]) -> String? {
        guard let value = object[key] else { return nil }
        guard case .string(let s) = value, allowed.contains(s) else {
            let p = JSONPointer.append(path, key)
            let got = value.stringValue.map(quoted) ?? value.typeName
            fail(p, "enum", "must be one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), got \(got)")
            return nil
        }
        return s
    }

    /// A member that must equal `constant` when present.
    public mutating func constant(_ object: JSONObject, _ key: String, at path: String, _ constant: String) {
        guard let value = object[key] else { return }
        if value.stringValue != constant {
            fail(JSONPointer.append(path, key), "enum", "must be \"\(constant)\" when present, got \(value.stringValue.map(quoted) ?? value.typeName)")
        }
    }

    /// A `YYYY-MM-DD` date member that exists in the calendar.
    /// - Parameter personal: the date is personal data (a birth date): errors do not quote it.
    public mutating func date(_ object: JSONObject, _ key: String, at path: String, personal: Bool = false) -> CalendarDate? {
        guard let s = string(object, key, at: path, min: 0, max: .max) else { return nil }
        guard let date = CalendarDate.parse(s) else {
            fail(JSONPointer.append(path, key), "format", "\(personal ? "the value" : quoted(s)) is not a date of the form YYYY-MM-DD that exists")
            return nil
        }
        return date
    }

    /// A number member within bounds.
    public mutating func number(
        _ object: JSONObject, _ key: String, at path: String,
        minimum: Double? = nil, exclusiveMinimum: Double? = nil, integer: Bool = false, maximum: Double? = nil
    ) -> Double? {
        guard let value = object[key] else { return nil }
        func p() -> String { JSONPointer.append(path, key) }
        guard case .number(let n) = value, !integer || n.rounded() == n else {
            fail(p(), "type", "must be \(integer ? "an integer" : "a number"), got \(value.typeName)")
            return nil
        }
        if let minimum, n < minimum { fail(p(), "minimum", "must be at least \(show(minimum)), got \(show(n))"); return nil }
        if let exclusiveMinimum, n <= exclusiveMinimum {
            fail(p(), "minimum", "must be greater than \(show(exclusiveMinimum)), got \(show(n))"); return nil
        }
        if let maximum, n > maximum { fail(p(), "maximum", "must be at most \(show(maximum)), got \(show(n))"); return nil }
        return n
    }

    /// An integer member within bounds.
    /// Values beyond what an `Int` holds are refused (`maximum` or `minimum`), never trapped on.
    public mutating func integer(_ object: JSONObject, _ key: String, at path: String, minimum: Int? = nil, maximum: Int? = nil) -> Int? {
        // 2^63 as a Double; every integral Double below it converts.
        let limit = 9_223_372_036_854_775_808.0
        let upper = maximum.map(Double.init) ?? Double(Int.max)
        guard let n = number(object, key, at: path, minimum: minimum.map(Double.init), integer: true, maximum: upper) else { return nil }
        guard n < limit, n >= -limit else {
            fail(JSONPointer.append(path, key), n < 0 ? "minimum" : "maximum", "is outside the 64-bit integer range")
            return nil
        }
        return Int(n)
    }

    /// An array member with at most `maxItems` elements (and at least `minItems`).
    public mutating func array(_ object: JSONObject, _ key: String, at path: String, minItems: Int = 0, maxItems: Int) -> [JSONValue]? {
        guard let value = object[key] else { return nil }
        func p() -> String { JSONPointer.append(path, key) }
        guard case .array(let items) = value else {
            fail(p(), "type", "must be an array, got \(value.typeName)")
            return nil
        }
        if items.count > maxItems { fail(p(), "max_length", "must have at most \(maxItems) items, has \(items.count)"); return nil }
        if items.count < minItems { fail(p(), "min_length", "must have at least \(minItems) item\(minItems == 1 ? "" : "s")"); return nil }
        return items
    }

    /// An object member, checked by `body` when present and an object.
    public mutating func nested<T>(_ object: JSONObject, _ key: String, at path: String, _ body: (inout SchemaChecker, JSONObject, String) -> T?) -> T? {
        guard let value = object[key] else { return nil }
        let p = JSONPointer.append(path, key)
        guard let inner = self.object(value, at: p) else { return nil }
        return body(&self, inner, p)
    }

    private func quoted(_ s: String) -> String {
        guard quotesValues else { return "the value" }
        let short = s.unicodeScalars.count > 60 ? String(s.unicodeScalars.prefix(57)) + "..." : s
        return "\"\(short)\""
    }

    private func show(_ n: Double) -> String { n.rounded() == n && abs(n) < 1e15 ? String(Int64(n)) : String(n) }
}
