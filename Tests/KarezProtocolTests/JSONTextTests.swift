import KarezProtocol
import Testing

/// The JSON text the processors' records are written as: the writer's word-at-a-time escaping
/// and the parser's reading agree with a byte-at-a-time reference on every position and length,
/// and so does the writer's count of escaped bytes.
@Suite struct JSONTextTests {
    /// The writer's expected output, one byte at a time.
    static func reference(_ s: String) -> [UInt8] {
        let hex = Array("0123456789abcdef".utf8)
        var out: [UInt8] = [0x22]
        for b in s.utf8 {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case ..<0x20: out += [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            default: out.append(b)
            }
        }
        return out + [0x22]
    }

    @Test(arguments: ["\n ", "\"#", "\\]", "\u{01}!", "\t\"", "益\n", "a", "\u{1F} \u{7F}é"])
    func stringsRoundTripAtEveryOffset(special: String) throws {
        for length in 0..<40 {
            for at in 0...length {
                let plain = String(repeating: "x", count: length)
                let s = String(plain.prefix(at)) + special + String(plain.dropFirst(at))
                #expect(JSONWriter.bytes(.string(s)) == Self.reference(s))
                #expect(Array(s.utf8).withUnsafeBytes(JSONByteSink.escapedCount(of:)) == Self.reference(s).count - 2)
                #expect(try JSONParser.parse(JSONWriter.bytes(.array([.string(s), .string(s + s)]))) == .array([.string(s), .string(s + s)]))
            }
        }
    }
}
