/// Why a document is not JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem.
    public let offset: Int
    /// What is wrong there.
    public let reason: String
    /// True when the problem is invalid UTF-8 rather than JSON syntax.
    public let isEncoding: Bool
    /// True when an object repeats a member name (PROTOCOL.md 2.3).
    public var isDuplicateMember = false

    public var description: String { "\(reason) at byte \(offset)" }

    /// The error code a receiver answers with (PROTOCOL.md 7.2): `invalid_utf8`,
    /// `duplicate_member`, or `not_json` (syntax, or beyond the nesting and member limits).
    public var code: String { isEncoding ? "invalid_utf8" : isDuplicateMember ? "duplicate_member" : "not_json" }
}

/// A strict RFC 8259 JSON parser over UTF-8 bytes: no comments, no trailing commas, no NaN,
/// nesting limited to ``maxDepth``. It rejects invalid UTF-8 instead of replacing it.
public struct JSONParser {
    /// Deepest nesting of arrays and objects accepted.
    public static let maxDepth = 64
    /// Most members of one object (PROTOCOL.md 9).
    public static let maxMembers = 1000

    /// Parses one JSON document (surrounding white space allowed).
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
        var parser = Cursor(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        if parser.index < bytes.count { throw parser.fail("unexpected data after the JSON value") }
        return value
    }

    /// Parses one JSON document from a byte array.
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        let result: Result<JSONValue, JSONParseError> = bytes.withUnsafeBytes { buffer in
            do throws(JSONParseError) { return .success(try parse(buffer)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    /// Parses one JSON document from a string.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

/// The parser's position in its input; ``JSONReader`` reads through the same one.
struct Cursor {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    func fail(_ reason: String, encoding: Bool = false) -> JSONParseError {
        JSONParseError(offset: index, reason: reason, isEncoding: encoding)
    }

    @inline(__always) var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    @inline(__always) mutating func skipSpace() {
        while index < bytes.count {
            let b = bytes[index]
            guard b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 else { return }
            index += 1
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard let b = current else { throw fail("unexpected end of input, expected a value") }
        switch b {
        case UInt8(ascii: "{"): return .object(try object(depth: depth + 1))
        case UInt8(ascii: "["): return .array(try array(depth: depth + 1))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw fail("unexpected character '\(Unicode.Scalar(b))', expected a value")
        }
    }

    mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard index + n <= bytes.count else { throw fail("unexpected end of input") }
        for i in 0..<n where bytes[index + i] != word.utf8Start[i] { throw fail("invalid literal") }
        index += n
    }

    mutating func object(depth: Int) throws(JSONParseError) -> JSONObject {
        guard depth <= JSONParser.maxDepth else { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        var members: [(key: String, value: JSONValue)] = []
        /// Member names seen, once the object is too large for a linear search (so an object
        /// of many members costs linear time, not quadratic).
        var names: Set<String>?
        skipSpace()
        if current == UInt8(ascii: "}") { index += 1; return JSONObject() }
        members.reserveCapacity(8)
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let key = try string()
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':' after member name") }
            index += 1
            skipSpace()
            let value = try value(depth: depth)
            // PROTOCOL.md 2.3: objects must not repeat a member name.
            let repeated: Bool
            if members.count < 16 {
                repeated = JSONObject.index(of: key, in: members) != nil
            } else {
                if names == nil { names = Set(members.map(\.key)) }
                repeated = !names!.insert(key).inserted
            }
            if repeated {
                var error = fail("member \"\(key.prefix(64))\" appears twice in one object; JSON objects must not repeat a member name")
                error.isDuplicateMember = true
                throw error
            }
            guard members.count < JSONParser.maxMembers else { throw fail("object has more than \(JSONParser.maxMembers) members") }
            members.append((key, value))
            skipSpace()
            guard let b = current else { throw fail("unexpected end of input in an object") }
            index += 1
            if b == UInt8(ascii: "}") { return JSONObject(distinct: members) }
            guard b == UInt8(ascii: ",") else { index -= 1; throw fail("expected ',' or '}' in an object") }
        }
    }

    mutating func array(depth: Int) throws(JSONParseError) -> [JSONValue] {
        guard depth <= JSONParser.maxDepth else { throw fail("nesting deeper than \(JSONParser.maxDepth)") }
        index += 1
        var items: [JSONValue] = []
        skipSpace()
        if current == UInt8(ascii: "]") { index += 1; return items }
        while true {
            skipSpace()
            items.append(try value(depth: depth))
            skipSpace()
            guard let b = current else { throw fail("unexpected end of input in an array") }
            index += 1
            if b == UInt8(ascii: "]") { return items }
            guard b == UInt8(ascii: ",") else { index -= 1; throw fail("expected ',' or ']' in an array") }
        }
    }

    mutating func number() throws(JSONParseError) -> Double {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        guard let first = current, first >= 0x30, first <= 0x39 else { throw fail("invalid number") }
        index += 1
        if first != 0x30 { digits() }
        if current == UInt8(ascii: ".") {
            index += 1
            guard let d = current, d >= 0x30, d <= 0x39 else { throw fail("expected a digit after '.'") }
            digits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard let d = current, d >= 0x30, d <= 0x39 else { throw fail("expected a digit in the exponent") }
            digits()
        }
        if let value = shortDecimal(start) { return value }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { index = start; throw fail("number out of range") }
        return value
    }

    /// The value of the number `bytes[start..<index]` when it has no exponent and at most 15
    /// digits: the digits as an integer (exact), divided by the power of ten of its fraction
    /// (exact up to 10^22), which one correctly rounded division makes the same `Double` that
    /// parsing the text gives. Nil for other numbers.
    private func shortDecimal(_ start: Int) -> Double? {
        var i = start
        let negative = bytes[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        var mantissa: Int64 = 0
        var digits = 0
        var fraction = -1  // digits after the point, once there is one
        while i < index {
            let b = bytes[i]
            if b == UInt8(ascii: ".") {
                fraction = 0
            } else if b &- 0x30 < 10 {
                mantissa = mantissa &* 10 &+ Int64(b &- 0x30)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            } else {
                return nil  // an exponent
            }
            i += 1
        }
        guard digits <= 15 else { return nil }
        let value = fraction > 0 ? Double(mantissa) / Self.powersOfTen[fraction] : Double(mantissa)
        return negative ? -value : value
    }

    private static let powersOfTen: [Double] = (0...15).map { (0..<$0).reduce(1.0) { r, _ in r * 10 } }

    @inline(__always) mutating func digits() {
        while let d = current, d >= 0x30, d <= 0x39 { index += 1 }
    }

    mutating func string() throws(JSONParseError) -> String {
        index += 1
        let start = index
        // Fast path: no escapes. Validate UTF-8 in one go.
        index = JSONBytes.plainEnd(bytes, from: index)
        guard index < bytes.count else { throw fail("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            guard let s = JSONBytes.string(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index])) else {
                index = start
                throw fail("invalid UTF-8 in a string", encoding: true)
            }
            index += 1
            return s
        }
        var canonical = true
        let out = try unescapedRest(from: start, canonical: &canonical)
        guard let s = out.withUnsafeBytes(JSONBytes.string(validating:)) else {
            throw fail("invalid UTF-8 in a string", encoding: true)
        }
        return s
    }

    /// The bytes of the string starting at the quote at `index`, escapes resolved; UTF-8 is
    /// not checked (the caller does). `canonical` is cleared unless the string is written exactly
    /// as ``JSONByteSink/writeString(_:)`` writes its text: escapes only where one is needed,
    /// `\"`, `\\`, `\n`, `\r`, `\t`, and `\u00xx` (lower case) for other control characters.
    mutating func stringBytes(canonical: inout Bool) throws(JSONParseError) -> [UInt8] {
        index += 1
        let start = index
        index = JSONBytes.plainEnd(bytes, from: index)
        guard index < bytes.count else { throw fail("unterminated string") }
        if bytes[index] == UInt8(ascii: "\"") {
            defer { index += 1 }
            return Array(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        }
        return try unescapedRest(from: start, canonical: &canonical)
    }

    /// The text of a string with escapes, from its first byte `start` (`index` is at its first
    /// escape, quote or control character) through the closing quote, which is consumed.
    private mutating func unescapedRest(from start: Int, canonical: inout Bool) throws(JSONParseError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(escapedLength(from: start))
        out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                index += 1
                return out
            }
            if b < 0x20 { throw fail("unescaped control character in a string") }
            if b != UInt8(ascii: "\\") {
                // Copy the run up to the next escape, quote or control character in one go.
                let runStart = index
                index = JSONBytes.plainEnd(bytes, from: index + 1)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<index]))
                continue
            }
            index += 1
            guard let e = current else { break }
            index += 1
            try unescape(e, into: &out, canonical: &canonical)
        }
        throw fail("unterminated string")
    }

    /// An upper bound of the UTF-8 length of the string whose text starts at `start`: the bytes up
    /// to its closing quote (escapes only shrink), or to the end of the input.
    private func escapedLength(from start: Int) -> Int {
        var i = start
        while true {
            i = JSONBytes.plainEnd(bytes, from: i)
            guard i < bytes.count, bytes[i] != UInt8(ascii: "\"") else { return i - start }
            i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1
        }
    }

    /// Appends the text of the escape `\e` (after the `e`, for `\u`, its four hex digits);
    /// clears `canonical` for an escape ``JSONByteSink`` would write otherwise.
    private mutating func unescape(_ e: UInt8, into out: inout [UInt8], canonical: inout Bool) throws(JSONParseError) {
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F); canonical = false
        case UInt8(ascii: "b"): out.append(0x08); canonical = false
        case UInt8(ascii: "f"): out.append(0x0C); canonical = false
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if canonical {
                // The writer's form: \u00 and two lower-case hex digits, for a control character
                // that has no short escape.
                let lowerHex = bytes[index - 1] < UInt8(ascii: "A") || bytes[index - 1] >= UInt8(ascii: "a")
                canonical = scalar < 0x20 && JSONBytes.shortEscape(UInt8(scalar)) == nil && lowerHex
            }
            if (0xD800...0xDBFF).contains(scalar) {
                guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                    throw fail("lone surrogate in \\u escape")
                }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("invalid surrogate pair") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("lone surrogate in \\u escape")
            }
            out.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
        default: throw fail("invalid escape '\\\(Unicode.Scalar(e))'")
        }
    }

    mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            v = v << 4 | d
            index += 1
        }
        return v
    }
}
