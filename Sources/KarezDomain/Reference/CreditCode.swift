/// A unified social credit code (GB 32100-2015): registration authority (1 character),
/// organisation type (1), division code of the registering office (6 digits), organisation code
/// (9 characters, GB 11714: 8 characters and their own check character) and a check character
/// (weighted MOD 31 over the 31-character alphabet without I, O, S, V and Z).
///
/// An instance is made for any text of the right shape and reports what is wrong with it, so a
/// validator can list every problem.
public struct CreditCode: Sendable, Hashable {
    /// The code as given.
    public let text: String
    /// The 18th character as given.
    public let checkCharacter: Character
    /// The 18th character the first 17 call for.
    public let expectedCheckCharacter: Character
    /// The 17th character (the organisation code's check character) as given.
    public let organizationCheckCharacter: Character
    /// The 17th character that characters 9–16 call for (GB 11714).
    public let expectedOrganizationCheckCharacter: Character
    /// The registration authority (1st character), nil when GB 32100 assigns none to it.
    public let authority: RegistrationAuthority?
    /// The organisation type (2nd character).
    public let organizationType: Character

    /// True when the 18th character is right.
    public var isChecksumValid: Bool { checkCharacter == expectedCheckCharacter }
    /// True when the embedded organisation code's check character is right.
    public var isOrganizationCodeValid: Bool { organizationCheckCharacter == expectedOrganizationCheckCharacter }
    /// True when the authority is known and the type is one GB 32100 defines for it.
    public var isAuthorityAndTypeKnown: Bool { authority?.types.contains(organizationType) ?? false }
    /// Characters 3–8: the division code of the registering office.
    public var divisionCode: String { String(decoding: text.utf8.dropFirst(2).prefix(6), as: UTF8.self) }
    /// Characters 9–17: the organisation code (GB 11714) with its check character.
    public var organizationCode: String { String(decoding: text.utf8.dropFirst(8).prefix(9), as: UTF8.self) }
    /// Province and prefecture of the division code, nil when its province is unknown.
    public var region: (province: Place, prefecture: Place?)? { Gazetteer.region(divisionCode: divisionCode) }

    /// Reads `text` when it has the shape of a credit code (18 characters of the alphabet, 3rd to
    /// 8th digits); nil otherwise.
    public init?(_ text: String) {
        let u = text.utf8
        guard u.count == 18 else { return nil }
        var values = [UInt8](repeating: 0, count: 18)
        var i = 0
        for b in u {
            let v = Self.alphabetIndex[Int(b)]
            guard v >= 0, (i < 2 || i >= 8 || v < 10) else { return nil }
            values[i] = UInt8(v)
            i += 1
        }
        let bytes = Array(u)
        self.text = text
        checkCharacter = Character(Unicode.Scalar(bytes[17]))
        expectedCheckCharacter = Character(Unicode.Scalar(Self.checkCharacter(values)))
        organizationCheckCharacter = Character(Unicode.Scalar(bytes[16]))
        expectedOrganizationCheckCharacter = Character(Unicode.Scalar(Self.organizationCheckCharacter(bytes[8..<16])))
        authority = RegistrationAuthority(rawValue: Character(Unicode.Scalar(bytes[0])))
        organizationType = Character(Unicode.Scalar(bytes[1]))
    }

    /// The 31 characters, in value order.
    public static let alphabet: [UInt8] = Array("0123456789ABCDEFGHJKLMNPQRTUWXY".utf8)
    /// Weights of the first 17 characters.
    static let weights: [Int] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    /// Weights of the 8 organisation-code characters (GB 11714).
    static let organizationWeights: [Int] = [3, 7, 9, 10, 5, 8, 4, 2]

    /// Value of each ASCII byte in the alphabet, -1 for bytes outside it.
    static let alphabetIndex: [Int8] = {
        var table = [Int8](repeating: -1, count: 256)
        for (v, b) in alphabet.enumerated() { table[Int(b)] = Int8(v) }
        return table
    }()

    /// The check character (an ASCII byte of the alphabet) for the values of the first 17
    /// characters (`values` may hold 17 or more; the rest are ignored).
    static func checkCharacter(_ values: [UInt8]) -> UInt8 {
        var sum = 0
        for k in 0..<17 { sum += Int(values[k]) * weights[k] }
        return alphabet[(31 - sum % 31) % 31]
    }

    /// The GB 11714 check character (`0`-`9` or `X`) of 8 organisation-code characters, where a
    /// digit counts its value and a letter A–Z counts 10–35.
    static func organizationCheckCharacter(_ body: ArraySlice<UInt8>) -> UInt8 {
        var sum = 0
        for (k, b) in body.enumerated() {
            let v = b >= 0x41 ? Int(b) - 55 : Int(b) - 0x30
            sum += v * organizationWeights[k]
        }
        switch 11 - sum % 11 {
        case 10: return UInt8(ascii: "X")
        case 11: return UInt8(ascii: "0")
        case let c: return UInt8(c) + 0x30
        }
    }

    /// A well-formed code for an authority and type, 6-digit division code and 8 organisation-code
    /// characters (digits and alphabet letters), with both check characters right. For generating
    /// test data.
    public static func make(authority: Character, type: Character, divisionCode: String, organizationBody: String) -> String {
        var bytes = Array(String(authority).utf8) + Array(String(type).utf8) + Array(divisionCode.utf8) + Array(organizationBody.utf8)
        precondition(bytes.count == 16, "authority, type, 6-digit division code and 8 organisation characters")
        bytes.append(organizationCheckCharacter(bytes[8..<16]))
        let values = bytes.map { b -> UInt8 in
            let v = alphabetIndex[Int(b)]
            precondition(v >= 0, "credit code characters come from the alphabet")
            return UInt8(v)
        }
        bytes.append(checkCharacter(values))
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The registration authorities of GB 32100 (1st character of a credit code) and the
/// organisation types (2nd character) each one assigns.
public enum RegistrationAuthority: Character, Sendable, CaseIterable {
    case establishment = "1"
    case foreignAffairs = "2"
    case justice = "3"
    case culture = "4"
    case civilAffairs = "5"
    case tourism = "6"
    case religion = "7"
    case tradeUnion = "8"
    case marketRegulation = "9"
    case militaryEstablishment = "A"
    case agriculture = "N"
    case other = "Y"

    /// The authority's name: 机构编制, 民政, 工商 (市场监管), ...
    public var name: String {
        switch self {
        case .establishment: "机构编制"
        case .foreignAffairs: "外交"
        case .justice: "司法行政"
        case .culture: "文化"
        case .civilAffairs: "民政"
        case .tourism: "旅游"
        case .religion: "宗教"
        case .tradeUnion: "工会"
        case .marketRegulation: "工商"
        case .militaryEstablishment: "中央军委改革和编制办公室"
        case .agriculture: "农业"
        case .other: "其他"
        }
    }

    /// The organisation types (2nd character) GB 32100 defines for this authority, e.g. for
    /// 工商: 1 企业, 2 个体工商户, 3 农民专业合作社.
    public var types: String {
        switch self {
        case .establishment: "1239"
        case .foreignAffairs: "19"
        case .justice: "123459"
        case .culture: "19"
        case .civilAffairs: "1239"
        case .tourism: "129"
        case .religion: "129"
        case .tradeUnion: "19"
        case .marketRegulation: "123"
        case .militaryEstablishment: "19"
        case .agriculture: "1239"
        case .other: "1"
        }
    }
}
