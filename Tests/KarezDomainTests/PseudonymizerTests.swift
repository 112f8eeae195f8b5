import Crypto
import Foundation
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

/// The precomputed HMAC-SHA-256 of ``Pseudonymizer`` against RFC 4231 and swift-crypto.
@Suite("Pseudonymiser HMAC-SHA-256")
struct PseudonymizerHMACTests {
    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = [], chars = Array(hex.utf8)
        while chars.count >= 2 { out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!); chars.removeFirst(2) }
        return out
    }

    /// RFC 4231 section 4: test cases 1, 2, 3, 4, 6 and 7 (5 truncates the output).
    static let vectors: [(key: [UInt8], data: [UInt8], mac: String)] = [
        ([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 20), [UInt8](repeating: 0xdd, count: 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
        (bytes("0102030405060708090a0b0c0d0e0f10111213141516171819"), [UInt8](repeating: 0xcd, count: 50),
         "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ]

    @Test func matchesRFC4231() {
        for (i, v) in Self.vectors.enumerated() {
            #expect(Pseudonymizer(unchecked: v.key).mac(v.data) == Self.bytes(v.mac), "test vector \(i + 1)")
        }
    }

    /// Random keys (of 16 to 200 bytes) and messages: the same MAC as `HMAC<SHA256>`, and a
    /// pseudonym that is its first 12 bytes over domain, a 0 byte and the value.
    @Test func matchesSwiftCrypto() throws {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let key = (0..<Int.random(in: 16...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let message = (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let p = try Pseudonymizer(key: key)
            let expected = Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(p.mac(message) == expected)
            let value = "650402197804160147", domain = "national_id"
            let code = HMAC<SHA256>.authenticationCode(for: Array(domain.utf8) + [0] + Array(value.utf8), using: SymmetricKey(data: key))
            #expect(p.pseudonym(value, domain: domain) == code.prefix(12).map { String(format: "%02x", $0) }.joined())
        }
    }
}
