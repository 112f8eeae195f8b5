import Testing
@testable import KarezProtocol

/// An object of `count` members named by `name(i)`, each with the value 0.
private func object(_ count: Int, _ name: (Int) -> String) -> [UInt8] {
    var out: [UInt8] = [UInt8(ascii: "{")]
    for i in 0..<count {
        if i > 0 { out.append(UInt8(ascii: ",")) }
        out += Array("\"\(name(i))\":0".utf8)
    }
    out.append(UInt8(ascii: "}"))
    return out
}

/// A name of exactly `width` characters, distinct per `i`, differing only at its end.
private func equalLength(_ i: Int, width: Int) -> String {
    let suffix = String(i)
    return String(repeating: "k", count: width - suffix.count) + suffix
}

private func parseError(_ bytes: [UInt8]) -> JSONParseError? {
    do throws(JSONParseError) { _ = try JSONParser.parse(bytes); return nil } catch { return error }
}

@Suite("JSON parser and HELLO against hostile input")
struct HostileJSONTests {
    @Test func anObjectOfMoreThanMaxMembersIsRefused() throws {
        #expect(JSONParser.maxMembers == 1000)
        #expect(try JSONParser.parse(object(1000) { "m\($0)" }).objectValue?.count == 1000)
        let error = try #require(parseError(object(1001) { "m\($0)" }))
        #expect(error.code == "not_json")
        #expect(!error.isDuplicateMember)
        // Nested objects are bounded one by one.
        let nested = Array("{\"a\":".utf8) + object(1001) { "m\($0)" } + Array("}".utf8)
        #expect(parseError(nested)?.code == "not_json")
    }

    @Test func aRepeatedMemberIsADuplicateMember() {
        #expect(parseError(Array(#"{"id":"a","id":"b"}"#.utf8))?.code == "duplicate_member")
        // Past the linear search of small objects, and at the very end of a full object.
        let large = object(999) { "m\($0)" }.dropLast() + Array(#","m998":1}"#.utf8)
        #expect(parseError(Array(large))?.code == "duplicate_member")
        let early = object(40) { "m\($0 % 20)" }
        #expect(parseError(early)?.code == "duplicate_member")
        #expect(parseError(Array(#"{"a":{"x":1},"b":{"x":1}}"#.utf8)) == nil, "the same name in two objects is fine")
    }

    /// 100,000 members of equal-length names (about 1.3 MB): refused at the 1001st member.
    @Test func aHundredThousandEqualLengthNamesAreRefused() throws {
        let bytes = object(100_000) { equalLength($0, width: 8) }
        #expect(bytes.count > 1_200_000)
        let error = try #require(parseError(bytes))
        #expect(error.code == "not_json")
        #expect(error.offset < bytes.count / 50, "refused at byte \(error.offset), near the 1001st member")
    }

    /// 1,000 members with 1,000-byte names that differ only in their last bytes parse, and the
    /// result holds every member.
    @Test func aThousandLongEqualLengthNamesParse() throws {
        let bytes = object(1000) { equalLength($0, width: 1000) }
        #expect(bytes.count > 1_000_000)
        let parsed = try #require(try JSONParser.parse(bytes).objectValue)
        #expect(parsed.count == 1000)
        #expect(parsed[equalLength(999, width: 1000)] == 0)
        #expect(Set(parsed.keys).count == 1000)
        // And a repeat among them is still found.
        let repeated = Array(bytes.dropLast()) + Array(",\"\(equalLength(500, width: 1000))\":1}".utf8)
        #expect(parseError(repeated)?.code == "duplicate_member")
    }

    @Test func aHelloBodyBeyondItsLimitIsTooLarge() throws {
        #expect(Hello.maxBytes == 4096)
        let hello = Hello(name: "w1", host: "h", pid: 42, incarnation: "abc", concurrency: 2, version: "0.1.0")
        let body = WorkerMessage.hello(hello).frames[2]
        let padded = body + [UInt8](repeating: UInt8(ascii: " "), count: Hello.maxBytes - body.count)
        #expect(padded.count == 4096)
        let atLimit = WorkerMessage.decode(ByteFrames([Array("KZ1".utf8), Array("HELLO".utf8), padded]))
        #expect(try atLimit.get() == .hello(hello))
        for oversized in [padded + [UInt8(ascii: " ")], [UInt8](repeating: UInt8(ascii: "{"), count: 1 << 20)] {
            let result = WorkerMessage.decode(ByteFrames([Array("KZ1".utf8), Array("HELLO".utf8), oversized]))
            guard case .failure(let error) = result else { Issue.record("a \(oversized.count)-byte HELLO was decoded"); continue }
            #expect(error.errors.map(\.code) == ["too_large"])
        }
    }
}
