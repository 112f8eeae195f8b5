/// A division of China in the national division code (GB/T 2260): a province-level division
/// (2-digit code), a prefecture-level one (4 digits) or a county-level one (6 digits).
public struct Place: Sendable, Hashable {
    /// The code without trailing zeros: `"65"`, `"6504"`, `"650402"`.
    public let code: String
    /// The full name: `"新疆维吾尔自治区"`, `"吐鲁番市"`, `"高昌区"`.
    public let name: String
    /// The name as usually written in running text: `"新疆"`, `"吐鲁番"`, `"高昌"`.
    public let shortName: String
    /// Which tier of the division code the place belongs to.
    public let level: Level

    /// The tier of a division.
    public enum Level: Sendable {
        /// Province, autonomous region, municipality or special administrative region (2 digits).
        case province
        /// Prefecture-level city, prefecture, league or autonomous prefecture (4 digits).
        case prefecture
        /// District, county or county-level city (6 digits).
        case county
    }

    /// A place; `code` is its code without trailing zeros.
    public init(code: String, name: String, shortName: String, level: Level) {
        self.code = code
        self.name = name
        self.shortName = shortName
        self.level = level
    }
}
