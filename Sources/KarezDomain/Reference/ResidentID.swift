import KarezProtocol

/// A resident identity number (GB 11643): a 6-digit division code, an 8-digit birth date, a
/// 3-digit order number whose last digit is odd for men, and a check character (ISO 7064
/// MOD 11-2). First-generation 15-digit numbers (2-digit year, no check character) are upgraded
/// to 18 characters.
///
/// An instance is made for any text of the right shape and reports what is wrong with it
/// (``isChecksumValid``, ``birthDate``, ``province``), so a validator can list every problem.
public struct ResidentID: Sendable, Hashable {
    /// The 18-character form: upgraded from 15 digits when needed, check character `X` upper-case.
    public let normalized: String
    /// True when the text was a first-generation 15-digit number.
    public let wasUpgraded: Bool
    /// The check character the text carries (`nil` for a 15-digit number, which has none).
    public let givenCheckCharacter: Character?
    /// The check character the first 17 characters call for.
    public let expectedCheckCharacter: Character
    /// The embedded birth date, or nil when it is not a date that exists.
    public let birthDate: CalendarDate?
    /// The sex encoded by the parity of the 17th digit (odd: male).
    public let sex: Patient.Sex

    /// True when the check character is right (always for an upgraded 15-digit number).
    public var isChecksumValid: Bool { givenCheckCharacter.map { $0 == expectedCheckCharacter } ?? true }

    /// The 6-digit division code at the start.
    public var divisionCode: String { String(decoding: normalized.utf8.prefix(6), as: UTF8.self) }

    /// The province of the division code, nil when no such province exists.
    public var province: Place? { Gazetteer.province(code: normalized) }

    /// The ID with only its division code and birth year kept: `"650402-1990"` (no personal data
    /// beyond what a region and an age band reveal).
    public var masked: String {
        String(unsafeUninitializedCapacity: 11) { out in
            var k = 0
            for b in normalized.utf8.prefix(10) {
                if k == 6 { out[6] = UInt8(ascii: "-"); k = 7 }
                out[k] = b
                k += 1
            }
            return k
        }
    }

    /// Reads `text` when it has the shape of a resident ID (17 digits and a digit or `X`/`x`, or
    /// 15 digits); nil otherwise. Reads the UTF-8 bytes in place; only an ID that needs
    /// normalising (15 digits, lower-case x) gets a new string.
    public init?(_ text: String) {
        var t = text
        typealias Parts = (sum: Int, birth: CalendarDate?, male: Bool, last: UInt8, upgraded: Bool)
        let parts: Parts? = t.withUTF8 { u in
            let upgraded: Bool
            switch u.count {
            case 18:
                let last = u[17]
                guard (last >= 0x30 && last <= 0x39) || last == UInt8(ascii: "X") || last == UInt8(ascii: "x") else { return nil }
                upgraded = false
            case 15: upgraded = true
            default: return nil
            }
            // The digit at position k of the 18-character form: a 15-digit ID gains "19" at 6-7.
            func digit(_ k: Int) -> Int {
                if !upgraded { return Int(u[k]) - 0x30 }
                if k < 6 { return Int(u[k]) - 0x30 }
                if k == 6 { return 1 }
                if k == 7 { return 9 }
                return Int(u[k - 2]) - 0x30
            }
            for k in 0..<(upgraded ? 15 : 17) { guard u[k] >= 0x30, u[k] <= 0x39 else { return nil } }
            var sum = 0
            for k in 0..<17 { sum += digit(k) * Self.weights[k] }
            func number(_ start: Int, _ count: Int) -> Int {
                var n = 0
                for k in start..<(start + count) { n = n * 10 + digit(k) }
                return n
            }
            let birth = CalendarDate.make(year: number(6, 4), month: number(10, 2), day: number(12, 2))
            return (sum, birth, digit(16) % 2 == 1, upgraded ? 0 : u[17], upgraded)
        }
        guard let parts else { return nil }
        let check = Self.checkCharacters[parts.sum % 11]
        expectedCheckCharacter = Character(Unicode.Scalar(check))
        birthDate = parts.birth
        sex = parts.male ? .male : .female
        wasUpgraded = parts.upgraded
        if parts.upgraded {
            givenCheckCharacter = nil
            normalized = String(unsafeUninitializedCapacity: 18) { out in
                var k = 0
                for b in text.utf8 {
                    if k == 6 { out[6] = UInt8(ascii: "1"); out[7] = UInt8(ascii: "9"); k = 8 }
                    out[k] = b
                    k += 1
                }
                out[17] = check
                return 18
            }
        } else if parts.last == UInt8(ascii: "x") {
            givenCheckCharacter = "X"
            normalized = String(text.utf8.prefix(17))! + "X"
        } else {
            givenCheckCharacter = Character(Unicode.Scalar(parts.last))
            normalized = text
        }
    }

    /// ISO 7064 MOD 11-2 weights of the first 17 digits.
    static let weights: [Int] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Check character by weighted sum mod 11.
    static let checkCharacters = Array("10X98765432".utf8)

    /// The check character (an ASCII byte, `0`-`9` or `X`) of 17 digit values (0-9 each).
    public static func checkCharacter(_ digits: [UInt8]) -> UInt8 {
        precondition(digits.count == 17, "a resident ID check character covers 17 digits")
        var sum = 0
        for k in 0..<17 { sum += Int(digits[k]) * weights[k] }
        return checkCharacters[sum % 11]
    }

    /// A well-formed 18-character ID for a division code, birth date and 3-digit order number
    /// (0...999; its last digit's parity is the sex, odd for men), with the right check character.
    /// For generating test data.
    public static func make(divisionCode: String, birthDate: CalendarDate, order: Int) -> String {
        precondition(divisionCode.utf8.count == 6 && divisionCode.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 },
                     "a division code is 6 digits")
        precondition((0...999).contains(order), "the order number has 3 digits")
        var digits = divisionCode.utf8.map { $0 - 0x30 }
        for (value, width) in [(birthDate.year, 4), (birthDate.month, 2), (birthDate.day, 2), (order, 3)] {
            var place = 1
            for _ in 1..<width { place *= 10 }
            for _ in 0..<width {
                digits.append(UInt8((value / place) % 10))
                place /= 10
            }
        }
        var out = digits.map { $0 + 0x30 }
        out.append(checkCharacter(digits))
        return String(decoding: out, as: UTF8.self)
    }
}
