import KarezDomain
import Testing

@Suite("Unified social credit code (GB 32100)")
struct ReferenceCreditCodeTests {
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")

    /// GB 32100 check character, written out independently of the implementation.
    static func expectedCheck(_ first17: String) -> Character {
        let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
        let sum = zip(first17, weights).reduce(0) { $0 + alphabet.firstIndex(of: $1.0)! * $1.1 }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// GB 11714 check character of an 8-character organisation code body.
    static func expectedOrganizationCheck(_ body: String) -> Character {
        let weights = [3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(body, weights).reduce(0) { acc, pair in
            let v = pair.0.isNumber ? pair.0.wholeNumberValue! : Int(pair.0.asciiValue!) - 55
            return acc + v * pair.1
        }
        let c = 11 - sum % 11
        return c == 10 ? "X" : c == 11 ? "0" : Character(String(c))
    }

    /// Codes from the proto-json valid lead vectors, known to be right.
    static let knownGood = ["91430903MA4L2R7N0N", "91430902MA4PK7W25K", "91520102MA6HJ8T2X8", "91650100MA77RN6E93",
                            "93650402MA775B9W2Q", "91650402MA79C4LU38", "91650402MA78XK3P57", "91430900MA4QD01F8M"]

    @Test("known-good codes pass both checks", arguments: knownGood)
    func knownGoodCodes(_ text: String) throws {
        let code = try #require(CreditCode(text))
        #expect(code.isChecksumValid)
        #expect(code.isOrganizationCodeValid)
        #expect(code.isAuthorityAndTypeKnown)
        #expect(code.expectedCheckCharacter == Self.expectedCheck(String(text.prefix(17))))
        #expect(code.expectedOrganizationCheckCharacter == Self.expectedOrganizationCheck(String(text.dropFirst(8).prefix(8))))
        #expect(code.region != nil)
    }

    @Test("a wrong check character is caught and the right one named")
    func wrongCheck() throws {
        let code = try #require(CreditCode("91430903MA4L2R7N0P"))
        #expect(!code.isChecksumValid)
        #expect(code.expectedCheckCharacter == "N")
        #expect(code.isOrganizationCodeValid)
    }

    @Test("a wrong organisation-code check character is caught separately")
    func wrongOrganizationCheck() throws {
        // Organisation check 0 -> 1, credit check recomputed so only the inner check is wrong.
        let first17 = "91430903MA4L2R7N1"
        let code = try #require(CreditCode(first17 + String(Self.expectedCheck(first17))))
        #expect(code.isChecksumValid)
        #expect(!code.isOrganizationCodeValid)
        #expect(code.expectedOrganizationCheckCharacter == "0")
        #expect(code.organizationCode == "MA4L2R7N1")
    }

    @Test("organisation check characters X and 0 (remainders 10 and 11)")
    func organizationXAndZero() throws {
        // 91520102MA6HJ8T2X8 carries X; find bodies for 0 by search over a few digits.
        #expect(try #require(CreditCode("91520102MA6HJ8T2X8")).expectedOrganizationCheckCharacter == "X")
        var sawZero = false
        for n in 0..<200 {
            let body = "MA" + String(100_000 + n)
            let made = CreditCode.make(authority: "9", type: "1", divisionCode: "650402", organizationBody: body)
            let code = try #require(CreditCode(made))
            #expect(code.isChecksumValid && code.isOrganizationCodeValid)
            #expect(code.organizationCheckCharacter == Self.expectedOrganizationCheck(body))
            if code.organizationCheckCharacter == "0" { sawZero = true }
        }
        #expect(sawZero)
    }

    @Test("authority, type, division code and region")
    func parts() throws {
        let code = try #require(CreditCode("93650402MA775B9W2Q"))
        #expect(code.authority == .marketRegulation)
        #expect(code.organizationType == "3")
        #expect(code.divisionCode == "650402")
        #expect(code.region?.province.name == "新疆维吾尔自治区")
        #expect(code.region?.prefecture?.name == "吐鲁番市")
        let yiyang = try #require(CreditCode("91430900MA4QD01F8M"))
        #expect(yiyang.region?.prefecture?.name == "益阳市")
    }

    @Test("unknown authority or type is reported")
    func unknownAuthority() throws {
        for first16 in ["B1430903MA4L2R7N", "94430903MA4L2R7N", "Y2430903MA4L2R7N"] {
            let body = first16 + String(Self.expectedOrganizationCheck(String(first16.dropFirst(8))))
            let code = try #require(CreditCode(body + String(Self.expectedCheck(body))))
            #expect(code.isChecksumValid)
            #expect(!code.isAuthorityAndTypeKnown)
        }
        #expect(RegistrationAuthority(rawValue: "5")?.name == "民政")
    }

    @Test("texts of the wrong shape are not credit codes",
          arguments: ["", "91430903MA4L2R7N0", "91430903MA4L2R7N0NN", "914309O3MA4L2R7N0N", "91430903MA4L2R7NIN",
                      "91430903ma4l2r7n0n", "9143090AMA4L2R7N0N"])
    func wrongShape(_ text: String) {
        #expect(CreditCode(text) == nil)
    }
}
