import Testing
@testable import KarezDomain

@Suite("Pseudonymisation keys")
struct PseudonymizerTests {
    @Test func sameInputSamePseudonymDifferentKeyDifferentPseudonym() throws {
        let a = try Pseudonymizer(key: Array("0123456789abcdef-key-a".utf8))
        let b = try Pseudonymizer(key: Array("0123456789abcdef-key-b".utf8))
        let p = a.pseudonym("650402199001011234", domain: "national_id")
        #expect(p.count == 24)
        #expect(p == a.pseudonym("650402199001011234", domain: "national_id"))
        #expect(p != b.pseudonym("650402199001011234", domain: "national_id"))
        #expect(p != a.pseudonym("650402199001011234", domain: "name"))
    }

    @Test func productionRefusesTheDevelopmentKey() throws {
        #expect(throws: PseudonymKeyError.missing) { try Pseudonymizer.load(environment: [:], allowDevelopmentKey: false) }
        #expect(try Pseudonymizer.load(environment: [:], allowDevelopmentKey: true).isDevelopmentKey)
        let k = try Pseudonymizer.load(environment: ["KAREZ_PSEUDONYM_KEY": "a-long-enough-secret-key"], allowDevelopmentKey: false)
        #expect(!k.isDevelopmentKey)
        #expect(throws: PseudonymKeyError.tooShort(5)) { try Pseudonymizer.load(environment: ["KAREZ_PSEUDONYM_KEY": "short"], allowDevelopmentKey: false) }
    }
}
