import KarezProtocol

/// The JSON parser. Besides not crashing: a document that parses, written with `JSONWriter`,
/// parses again to an equal value, and writing that gives the same bytes (the writer's output
/// is a fixed point).
enum JSONTarget {
    static func run(_ input: UnsafeRawBufferPointer) {
        let value: JSONValue
        do throws(JSONParseError) { value = try JSONParser.parse(input) } catch {
            _ = error.code
            return
        }
        let written = JSONWriter.bytes(value)
        let again: JSONValue
        do throws(JSONParseError) { again = try JSONParser.parse(written) } catch {
            fuzzFailure("JSONWriter output does not parse: \(error)\n  \(String(decoding: written.prefix(512), as: UTF8.self))")
        }
        guard again == value else {
            fuzzFailure("JSON round trip differs:\n  \(String(describing: value).prefix(512))\n  \(String(describing: again).prefix(512))")
        }
        let rewritten = JSONWriter.bytes(again)
        guard rewritten == written else {
            fuzzFailure("JSONWriter is not a fixed point:\n  \(String(decoding: written.prefix(512), as: UTF8.self))\n  \(String(decoding: rewritten.prefix(512), as: UTF8.self))")
        }
    }
}
