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
    public var isAuthorityAndTypeKnown: Bool {
        guard let authority, let type = organizationType.asciiValue else { return false }
        return authority.types.utf8.contains(type)
    }
    /// Characters 3–8: the division code of the registering office.
    public let divisionCode: String
    /// Characters 9–17: the organisation code (GB 11714) with its check character.
    public var organizationCode: String { String(decoding: text.utf8.dropFirst(8).prefix(9), as: UTF8.self) }
    /// Province and prefecture of the division code, nil when its province is unknown.
    public var region: (province: Place, prefecture: Place?)? { Gazetteer.region(divisionCode: divisionCode) }

    /// Reads `text` when it has the shape of a credit code (18 characters of the alphabet, 3rd to
    /// 8th digits); nil otherwise. Reads the UTF-8 bytes in place.
    public init?(_ text: String) {
        var t = text
        let parts: (bytes: (UInt8, UInt8, UInt8, UInt8), check: UInt8, organizationCheck: UInt8, division: String)? = t.withUTF8 { u in
            guard u.count == 18 else { return nil }
            var sum = 0
            for i in 0..<18 {
                let v = Self.alphabetIndex[Int(u[i])]
                guard v >= 0, i < 2 || i >= 8 || v < 10 else { return nil }
                if i < 17 { sum += Int(v) * Self.weights[i] }
            }
            var organizationSum = 0
            for k in 0..<8 { organizationSum += Self.organizationValue(u[8 + k]) * Self.organizationWeights[k] }
            return ((u[0], u[1], u[16], u[17]), Self.checkCharacter(sum: sum), Self.organizationCheckCharacter(sum: organizationSum),
                    String(decoding: UnsafeBufferPointer(rebasing: u[2..<8]), as: UTF8.self))
        }
        guard let parts else { return nil }
        self.text = text
        divisionCode = parts.division
        checkCharacter = Character(Unicode.Scalar(parts.bytes.3))
        expectedCheckCharacter = Character(Unicode.Scalar(parts.check))
        organizationCheckCharacter = Character(Unicode.Scalar(parts.bytes.2))
        expectedOrganizationCheckCharacter = Character(Unicode.Scalar(parts.organizationCheck))
        authority = RegistrationAuthority(rawValue: Character(Unicode.Scalar(parts.bytes.0)))
        organizationType = Character(Unicode.Scalar(parts.bytes.1))
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

    /// The check character (an ASCII byte of the alphabet) for the weighted sum of the first 17
    /// characters' values.
    static func checkCharacter(sum: Int) -> UInt8 {
        alphabet[(31 - sum % 31) % 31]
    }

    /// The GB 11714 value of an organisation-code character: a digit its value, a letter A–Z 10–35.
    @inline(__always) static func organizationValue(_ b: UInt8) -> Int {
        b >= 0x41 ? Int(b) - 55 : Int(b) - 0x30
    }

    /// The GB 11714 check character (`0`-`9` or `X`) for the weighted sum of 8 organisation-code
    /// characters.
    static func organizationCheckCharacter(sum: Int) -> UInt8 {
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
        var organizationSum = 0
        for k in 0..<8 { organizationSum += organizationValue(bytes[8 + k]) * organizationWeights[k] }
        bytes.append(organizationCheckCharacter(sum: organizationSum))
        var sum = 0
        for (k, b) in bytes.enumerated() {
            let v = alphabetIndex[Int(b)]
            precondition(v >= 0, "credit code characters come from the alphabet")
            sum += Int(v) * weights[k]
        }
        bytes.append(checkCharacter(sum: sum))
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
