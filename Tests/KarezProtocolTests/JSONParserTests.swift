import Testing
@testable import KarezProtocol

@Suite("JSON parser and writer")
struct JSONParserTests {
    @Test func parsesEveryValueType() throws {
        let v = try JSONParser.parse(#" {"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d\n\u00e9\ud83d\ude00"}, "e": ""} "#)
        #expect(v["a"] == [1, -2.5, 300, true, false, nil])
        #expect(v["b"]?["c"] == .string("d\né😀"))
        #expect(v["e"] == "")
        #expect(v.objectValue?.keys == ["a", "b", "e"])
    }

    @Test func aRepeatedMemberNameIsRefused() throws {
        for text in [#"{"id":"a","id":"b"}"#, #"{"x":{"t":1,"t":2}}"#,
                     "{" + (0..<40).map { "\"m\($0)\":0" }.joined(separator: ",") + ",\"m7\":1}"] {
            #expect(throws: JSONParseError.self, "\(text.prefix(40))") { try JSONParser.parse(text) }
        }
        do { _ = try JSONParser.parse(#"{"id":"a","id":"b"}"#) } catch { #expect(error.description.contains("\"id\" appears twice")) }
    }

    @Test func anObjectOfAsManyMembersAsAllowedParses() throws {
        let text = "{" + (0..<JSONParser.maxMembers).map { "\"member-\($0)\":\($0)" }.joined(separator: ",") + "}"
        #expect(try JSONParser.parse(text).objectValue?.count == JSONParser.maxMembers)
    }

    @Test func keepsChineseTextAndRoundTrips() throws {
        let text = #"{"title":"益阳援疆","n":723,"x":1.5,"q":"say \"hi\"\\","t":"a\tb"}"#
        let v = try JSONParser.parse(text)
        #expect(v["title"] == "益阳援疆")
        #expect(JSONWriter.string(v) == text)
        #expect(try JSONParser.parse(JSONWriter.bytes(v)) == v)
    }

    @Test(arguments: [
        ("", "unexpected end"), ("{", "member name"), (#"{"a":1,}"#, "member name"), ("[1,]", "unexpected character"),
        ("tru", "unexpected end"), ("01", "after the JSON value"), ("1.", "digit after"), (#""abc"#, "unterminated"),
        ("{\"a\":\"\u{01}\"}", "control character"), (#"{"a":"\x"}"#, "invalid escape"), (#""\ud800""#, "surrogate"),
        ("NaN", "unexpected character"), ("[1] [2]", "after the JSON value"), ("1e999", "out of range"),
    ])
    func rejectsMalformedDocumentsWithAReason(input: String, reason: String) {
        #expect {
            _ = try JSONParser.parse(input)
        } throws: { error in
            (error as? JSONParseError)?.reason.contains(reason) == true
        }
    }

    @Test func rejectsInvalidUTF8AsAnEncodingError() {
        let bytes: [UInt8] = [0x22, 0xE4, 0xB8, 0x22]
        #expect { _ = try JSONParser.parse(bytes) } throws: { ($0 as? JSONParseError)?.isEncoding == true }
    }

    @Test func limitsNesting() throws {
        let deep = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(throws: JSONParseError.self) { _ = try JSONParser.parse(deep) }
        let ok = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        _ = try JSONParser.parse(ok)
    }
}
