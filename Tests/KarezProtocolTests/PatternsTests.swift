import Foundation
import Testing
@testable import KarezProtocol

@Suite("Patterns: the hand-written matchers accept exactly what the schemas' regular expressions do")
struct PatternsTests {
    /// Random strings over letters, digits, the id punctuation, bytes just outside each range and
    /// non-ASCII text, against `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$` as JSON Schema reads it
    /// (ECMA-262: `$` is the end of the text; ICU's would also match before a final newline).
    @Test func itemIDsMatchTheSchemaPattern() throws {
        let pattern = try NSRegularExpression(pattern: #"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}\z"#)
        let pieces = Array("aZz09AM._:-/@[`{ \u{7F}é患").map(String.init) + ["\u{0}", "\n"]
        var rng = SystemRandomNumberGenerator()
        var accepted = 0
        for round in 0..<20_000 {
            let length = round < 300 ? round % 150 : Int.random(in: 0...(round % 7 == 0 ? 140 : 12), using: &rng)
            // Every other string from the id alphabet alone, so that many are ids.
            let alphabet = round % 2 == 0 ? Array(pieces.prefix(11)) : pieces
            let s = (0..<length).map { _ in alphabet.randomElement(using: &rng)! }.joined()
            let expected = pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
            #expect(Patterns.isItemID(s) == expected, "\(s.debugDescription)")
            if expected { accepted += 1 }
        }
        #expect(accepted > 5_000, "the sample holds ids too: \(accepted)")
        // Every single byte, alone and after a valid first one.
        for b in UInt8(0)...127 {
            let c = String(UnicodeScalar(b))
            for s in [c, "a" + c] {
                let expected = pattern.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) != nil
                #expect(Patterns.isItemID(s) == expected, "\(s.debugDescription)")
            }
        }
        #expect(Patterns.isItemID(String(repeating: "a", count: 128)) && !Patterns.isItemID(String(repeating: "a", count: 129)))
    }
}
