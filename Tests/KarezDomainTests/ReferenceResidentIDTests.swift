import KarezDomain
import KarezProtocol
import Testing

@Suite("Resident ID (GB 11643)")
struct ReferenceResidentIDTests {
    /// ISO 7064 MOD 11-2 written out independently of the implementation.
    static func expectedCheck(_ first17: String) -> Character {
        let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
        let sum = zip(first17, weights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        return Array("10X98765432")[sum % 11]
    }

    /// IDs from the proto-json valid patient vectors, known to be right.
    static let knownGood = ["650402197804160147", "430921196207280088", "650402199008091127", "650421195112011773",
                            "650102195502140604", "650402198605240077", "43090319721005039X", "650421196911030430"]

    @Test("check characters of known-good IDs", arguments: knownGood)
    func knownGoodIDs(_ text: String) throws {
        let id = try #require(ResidentID(text))
        #expect(id.isChecksumValid)
        #expect(id.expectedCheckCharacter == Self.expectedCheck(String(text.prefix(17))))
        #expect(id.normalized == text)
        #expect(!id.wasUpgraded)
        #expect(id.province != nil)
    }

    @Test("a changed check character or digit is caught")
    func wrongCheckCharacter() throws {
        let good = "650402197804160147"
        for replacement in ["0", "1", "2", "3", "4", "5", "6", "8", "9", "X"] {
            let id = try #require(ResidentID(String(good.prefix(17)) + replacement))
            #expect(!id.isChecksumValid)
            #expect(id.expectedCheckCharacter == "7")
            #expect(id.givenCheckCharacter == Character(replacement))
        }
        // One changed digit in the body changes the expected check character.
        let swapped = try #require(ResidentID("650402197804160247"))
        #expect(!swapped.isChecksumValid)
    }

    @Test("lower-case x is accepted and normalised to X")
    func lowercaseX() throws {
        let id = try #require(ResidentID("65042219950319038x"))
        #expect(id.isChecksumValid)
        #expect(id.normalized == "65042219950319038X")
        #expect(id.givenCheckCharacter == "X")
        #expect(id.sex == .female)
    }

    @Test("birth date and sex are read from the ID")
    func birthDateAndSex() throws {
        let id = try #require(ResidentID("650421196911030430"))
        #expect(id.birthDate == CalendarDate(year: 1969, month: 11, day: 3))
        #expect(id.sex == .male)  // 17th digit 3
        let f = try #require(ResidentID("650402197804160147"))
        #expect(f.sex == .female)  // 17th digit 4
        #expect(f.divisionCode == "650402")
        #expect(f.masked == "650402-1978")
        #expect(f.province?.shortName == "新疆")
    }

    @Test("an embedded date that does not exist gives no birth date")
    func impossibleBirthDate() throws {
        let body = "65040219900230012"  // 1990-02-30
        let id = try #require(ResidentID(body + String(Self.expectedCheck(body))))
        #expect(id.isChecksumValid)
        #expect(id.birthDate == nil)
    }

    @Test("an unknown province has no place")
    func unknownProvince() throws {
        let body = "99040219900101012"
        let id = try #require(ResidentID(body + String(Self.expectedCheck(body))))
        #expect(id.isChecksumValid)
        #expect(id.province == nil)
    }

    @Test("15-digit first-generation IDs are upgraded to 18 with a computed check character")
    func legacyUpgrade() throws {
        let id = try #require(ResidentID("430902480312135"))
        #expect(id.wasUpgraded)
        #expect(id.isChecksumValid)
        #expect(id.givenCheckCharacter == nil)
        let body = "43090219480312135"
        #expect(id.normalized == body + String(Self.expectedCheck(body)))
        #expect(id.normalized == "43090219480312135X")
        #expect(id.birthDate == CalendarDate(year: 1948, month: 3, day: 12))
        #expect(id.sex == .male)  // last digit 5
        #expect(id.masked == "430902-1948")
    }

    @Test("texts of the wrong shape are not IDs", arguments: ["", "65040219780416014", "6504021978041601477", "65040219780416014Y",
                                                              "6504021978041601X7", "43090248031213X", "６５0402197804160147"])
    func wrongShape(_ text: String) {
        #expect(ResidentID(text) == nil)
    }

    @Test("make builds IDs with the right check character, sex and date")
    func make() throws {
        let date = CalendarDate(year: 2001, month: 9, day: 7)
        for order in [0, 1, 37, 998, 999] {
            let text = ResidentID.make(divisionCode: "430903", birthDate: date, order: order)
            let id = try #require(ResidentID(text))
            #expect(id.isChecksumValid)
            #expect(id.expectedCheckCharacter == Self.expectedCheck(String(text.prefix(17))))
            #expect(id.birthDate == date)
            #expect(id.sex == (order % 2 == 1 ? .male : .female))
            #expect(text.hasPrefix("43090320010907"))
        }
    }
}
