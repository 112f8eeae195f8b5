/// A forward-only reader of one JSON document, for fast paths that decode a known shape straight
/// from bytes without building a ``JSONValue`` tree.
///
/// It reads with the same code as ``JSONParser``, so a value it returns is the value the parser
/// would have put in the tree. Every method returns nil (or false) when the input is not what the
/// caller asked for; a fast path then gives up and leaves the document to ``JSONParser`` and
/// ``SchemaChecker``, which say precisely what is wrong. The reader is only valid inside the
/// `withUnsafeBytes` scope of the bytes it reads.
public struct JSONReader {
    private var cursor: Cursor

    /// A reader at the start of `bytes`.
    public init(_ bytes: UnsafeRawBufferPointer) { cursor = Cursor(bytes: bytes) }

    /// A member name or the end of an object, as ``nextMember(first:)`` returns it.
    public enum Member {
        /// The member's name as its raw bytes (names with escapes are not taken).
        case name(UnsafeRawBufferPointer)
        /// The object's closing brace was read.
        case end
    }

    /// Reads `{`.
    public mutating func beginObject() -> Bool { expect(UInt8(ascii: "{")) }

    /// Reads `[`.
    public mutating func beginArray() -> Bool { expect(UInt8(ascii: "[")) }

    /// Reads the next member's name and its colon, or the closing `}`. `first` is true before the
    /// first member (and is cleared); later members must follow a comma. Nil when the input is not
    /// well formed there, or the name holds an escape.
    public mutating func nextMember(first: inout Bool) -> Member? {
        cursor.skipSpace()
        if cursor.current == UInt8(ascii: "}") { cursor.index += 1; return .end }
        if !first {
            guard cursor.current == UInt8(ascii: ",") else { return nil }
            cursor.index += 1
            cursor.skipSpace()
        }
        first = false
        guard cursor.current == UInt8(ascii: "\"") else { return nil }
        let start = cursor.index + 1
        let end = JSONBytes.plainEnd(cursor.bytes, from: start)
        guard end < cursor.bytes.count, cursor.bytes[end] == UInt8(ascii: "\"") else { return nil }
        cursor.index = end + 1
        guard expect(UInt8(ascii: ":")) else { return nil }
        return .name(UnsafeRawBufferPointer(rebasing: cursor.bytes[start..<end]))
    }

    /// Before the next array element: true when there is one (after a comma unless `first`, which
    /// is cleared), false after reading the closing `]`, nil when the input is not well formed.
    public mutating func nextElement(first: inout Bool) -> Bool? {
        cursor.skipSpace()
        if cursor.current == UInt8(ascii: "]") { cursor.index += 1; return false }
        if !first {
            guard cursor.current == UInt8(ascii: ",") else { return nil }
            cursor.index += 1
        }
        first = false
        return true
    }

    /// A string value (escapes resolved, UTF-8 checked), or nil when the next value is not one.
    public mutating func string() -> String? {
        cursor.skipSpace()
        guard cursor.current == UInt8(ascii: "\"") else { return nil }
        do throws(JSONParseError) { return try cursor.string() } catch { return nil }
    }

    /// A string value's bytes with escapes resolved, or nil when the next value is not a
    /// well-formed string. Its UTF-8 is **not** checked: the caller must (a long text can then be
    /// checked in the same pass that decodes it). `json` is set to where the string's JSON lies
    /// in the input, quotes included, when it is exactly what ``JSONByteSink/writeString(_:)``
    /// writes for its text (so it can be copied instead of written again), and to nil otherwise.
    public mutating func stringBytes(json: inout Range<Int>?) -> [UInt8]? {
        cursor.skipSpace()
        guard cursor.current == UInt8(ascii: "\"") else { return nil }
        let start = cursor.index
        var canonical = true
        do throws(JSONParseError) {
            let text = try cursor.stringBytes(canonical: &canonical)
            json = canonical ? start..<cursor.index : nil
            return text
        } catch {
            return nil
        }
    }

    /// A number value, or nil when the next value is not one.
    public mutating func number() -> Double? {
        cursor.skipSpace()
        guard let b = cursor.current, b == UInt8(ascii: "-") || (b >= 0x30 && b <= 0x39) else { return nil }
        do throws(JSONParseError) { return try cursor.number() } catch { return nil }
    }

    /// True when nothing but white space is left.
    public mutating func atEnd() -> Bool {
        cursor.skipSpace()
        return cursor.index == cursor.bytes.count
    }

    private mutating func expect(_ byte: UInt8) -> Bool {
        cursor.skipSpace()
        guard cursor.current == byte else { return false }
        cursor.index += 1
        return true
    }
}

extension UnsafeRawBufferPointer {
    /// True when these bytes are exactly the UTF-8 of `text` (a member name, for instance).
    @inline(__always) public func equals(_ text: StaticString) -> Bool {
        guard count == text.utf8CodeUnitCount else { return false }
        for i in 0..<count where self[i] != text.utf8Start[i] { return false }
        return true
    }
}
