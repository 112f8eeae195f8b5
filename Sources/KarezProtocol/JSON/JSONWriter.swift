/// Serialises ``JSONValue`` to compact UTF-8 JSON (members in their stored order).
public enum JSONWriter {
    /// The compact JSON bytes of a value.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        var sink = JSONByteSink()
        sink.write(value)
        return sink.bytes()
    }

    /// The compact JSON text of a value.
    public static func string(_ value: JSONValue) -> String {
        var sink = JSONByteSink()
        sink.write(value)
        return sink.string()
    }

    /// Appends the JSON of a value to a buffer.
    public static func write(_ value: JSONValue, into out: inout [UInt8]) {
        var sink = JSONByteSink()
        sink.write(value)
        sink.append(to: &out)
    }

    /// Whole numbers print without a fraction; others in Swift's shortest round-trip form.
    public static func writeNumber(_ n: Double, into out: inout [UInt8]) {
        var sink = JSONByteSink()
        sink.writeNumber(n)
        sink.append(to: &out)
    }

    /// A quoted, escaped JSON string. Non-ASCII text is written as UTF-8, not escaped.
    public static func writeString(_ s: String, into out: inout [UInt8]) {
        var sink = JSONByteSink()
        sink.writeString(s)
        sink.append(to: &out)
    }
}

extension JSONByteSink {
    /// Appends the JSON of a value.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null: append("null")
        case .bool(let b): append(b ? "true" : "false")
        case .number(let n): writeNumber(n)
        case .string(let s): writeString(s)
        case .array(let items):
            append(UInt8(ascii: "["))
            var first = true
            for item in items {
                if !first { append(UInt8(ascii: ",")) }
                first = false
                write(item)
            }
            append(UInt8(ascii: "]"))
        case .object(let object):
            append(UInt8(ascii: "{"))
            object.members.withUnsafeBufferPointer { members in
                for i in members.indices {
                    if i > 0 { append(UInt8(ascii: ",")) }
                    writeString(members[i].key)
                    append(UInt8(ascii: ":"))
                    write(members[i].value)
                }
            }
            append(UInt8(ascii: "}"))
        }
    }

    /// Whole numbers print without a fraction; others in Swift's shortest round-trip form.
    public mutating func writeNumber(_ n: Double) {
        if n.rounded() == n && abs(n) < 1e15 {
            writeInteger(Int64(n))
        } else if n.isFinite {
            var text = n.description
            text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
        } else {
            append("null")
        }
    }

    /// A string member: `prefix` (such as `,"title":`, the punctuation before it included) and
    /// the string.
    @inlinable
    public mutating func writeMember(_ prefix: StaticString, _ value: String) {
        append(prefix)
        writeString(value)
    }

    /// An optional string member: `prefix` and the string, or nothing.
    @inlinable
    public mutating func writeMember(_ prefix: StaticString, _ value: String?) {
        if let value { writeMember(prefix, value) }
    }

    /// A number member: `prefix` and the number.
    @inlinable
    public mutating func writeMember(_ prefix: StaticString, number: Double) {
        append(prefix)
        writeNumber(number)
    }

    /// An array: `opening` (such as `,"tags":[`), each element written by `element`, separated
    /// by commas, and `]`. Inlinable, like the member writers, so callers get it specialised:
    /// these run per item on the workers' hot path.
    @inlinable
    public mutating func writeArray<S: Sequence>(_ opening: StaticString, _ elements: S,
                                                 _ element: (S.Element, inout JSONByteSink) -> Void) {
        append(opening)
        var first = true
        for e in elements {
            if !first { append(UInt8(ascii: ",")) }
            first = false
            element(e, &self)
        }
        append(UInt8(ascii: "]"))
    }

    /// A quoted, escaped JSON string. Non-ASCII text is written as UTF-8, not escaped.
    public mutating func writeString(_ s: String) {
        // Native strings lend their bytes directly; others are made contiguous first.
        if s.utf8.withContiguousStorageIfAvailable({ writeQuoted(UnsafeRawBufferPointer($0)) }) != nil { return }
        var s = s
        s.withUTF8 { writeQuoted(UnsafeRawBufferPointer($0)) }
    }

    /// A quoted, escaped JSON string from text already known to be valid UTF-8: the bytes
    /// ``writeString(_:)`` writes for the same text.
    public mutating func writeString(utf8 u: UnsafeRawBufferPointer) { writeQuoted(u) }

    /// How many bytes ``writeString(utf8:)`` writes for the text `u` between the quotes.
    public static func escapedCount(of u: UnsafeRawBufferPointer) -> Int {
        var count = u.count
        var i = JSONBytes.plainEnd(u, from: 0)
        while i < u.count {
            count &+= JSONBytes.shortEscape(u[i]) != nil ? 1 : 5  // \x or \u00xx
            i = JSONBytes.plainEnd(u, from: i &+ 1)
        }
        return count
    }

    /// The UTF-8 bytes `u` of a string, quoted and escaped.
    private mutating func writeQuoted(_ u: UnsafeRawBufferPointer) {
        reserve(u.count &+ 2)
        append(UInt8(ascii: "\""))
        // Copy runs that need no escape in one go; escape the rest.
        var runStart = 0
        while true {
            let i = JSONBytes.plainEnd(u, from: runStart)
            append(UnsafeRawBufferPointer(rebasing: u[runStart..<i]))
            guard i < u.count else { break }
            writeEscape(u[i])
            runStart = i &+ 1
        }
        append(UInt8(ascii: "\""))
    }

    private mutating func writeEscape(_ b: UInt8) {
        append(0x5C)
        if let letter = JSONBytes.shortEscape(b) {
            append(letter)
        } else {
            let hex: StaticString = "0123456789abcdef"
            append("u00")
            append(hex.utf8Start[Int(b >> 4)])
            append(hex.utf8Start[Int(b & 0xF)])
        }
    }

    private mutating func writeInteger(_ value: Int64) {
        var v = value
        if v < 0 { append(UInt8(ascii: "-")); v = -v }
        var digits = 1
        var rest = v / 10
        while rest > 0 { digits += 1; rest /= 10 }
        reserve(digits)
        appendDigits(of: v, count: digits)
    }
}
