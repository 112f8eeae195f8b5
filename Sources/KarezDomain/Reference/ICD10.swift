/// ICD-10 (WHO 2019, Chinese edition GB/T 14396): the 22 chapters by code range, and Chinese and
/// English titles of common 3-character categories.
///
/// Lookups read the code's first three characters as a letter and two digits and index tables
/// built once; nothing is allocated per lookup.
public enum ICD10 {
    /// One chapter: its number, range and titles.
    public struct Chapter: Sendable, Hashable {
        /// 1...22.
        public let number: Int
        /// The chapter's roman numeral, as in `"XI"`.
        public let roman: String
        /// First 3-character category of the range, as in `"K00"`.
        public let first: String
        /// Last 3-character category of the range, as in `"K93"`.
        public let last: String
        /// Chinese title, as in `"消化系统疾病"`.
        public let title: String
        /// English title, as in `"Diseases of the digestive system"`.
        public let englishTitle: String
    }

    /// A 3-character category with its titles.
    public struct Category: Sendable, Hashable {
        /// The 3-character code, as in `"K35"`.
        public let code: String
        /// Chinese title, as in `"急性阑尾炎"`.
        public let title: String
        /// English title, as in `"Acute appendicitis"`.
        public let englishTitle: String
    }

    /// The 22 chapters in order.
    public static var chapters: [Chapter] { tables.chapters }

    /// The categories with known titles, in code order.
    public static var categories: [Category] { tables.categories }

    /// The chapter a code (`"K35"`, `"K35.8"`) belongs to; nil when the code does not start with a
    /// capital letter and two digits or falls between chapters (such as `D49`, `H99` or `U99`).
    public static func chapter(of code: String) -> Chapter? {
        guard let key = key(code) else { return nil }
        let index = tables.chapterByKey[key]
        return index < 0 ? nil : tables.chapters[Int(index)]
    }

    /// The titles of a code's 3-character category (`"K35.8"` → 急性阑尾炎), when known.
    public static func category(of code: String) -> Category? {
        guard let key = key(code) else { return nil }
        let index = tables.categoryByKey[key]
        return index < 0 ? nil : tables.categories[Int(index)]
    }

    /// `letter * 100 + two digits` (0..<2600) for a code's first three characters.
    static func key(_ code: String) -> Int? {
        var it = code.utf8.makeIterator()
        guard let l = it.next(), l >= 0x41, l <= 0x5A,
              let d1 = it.next(), d1 >= 0x30, d1 <= 0x39,
              let d2 = it.next(), d2 >= 0x30, d2 <= 0x39 else { return nil }
        return Int(l - 0x41) * 100 + Int(d1 - 0x30) * 10 + Int(d2 - 0x30)
    }

    private static let tables = ICD10Tables()
}

/// The parsed ICD-10 data with lookup tables by category key.
private struct ICD10Tables: Sendable {
    var chapters: [ICD10.Chapter] = []
    var categories: [ICD10.Category] = []
    var chapterByKey = [Int8](repeating: -1, count: 2600)
    var categoryByKey = [Int16](repeating: -1, count: 2600)

    init() {
        let romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV",
                      "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII"]
        for line in ICD10Data.chapters.split(separator: "\n") {
            let f = line.split(separator: "|").map(String.init)
            guard f.count == 4, let lo = ICD10.key(f[0]), let hi = ICD10.key(f[1]) else { preconditionFailure("bad ICD-10 chapter line: \(line)") }
            let index = chapters.count
            chapters.append(ICD10.Chapter(number: index + 1, roman: romans[index], first: f[0], last: f[1], title: f[2], englishTitle: f[3]))
            for k in lo...hi {
                precondition(chapterByKey[k] < 0, "ICD-10 chapters overlap at \(f[0])")
                chapterByKey[k] = Int8(index)
            }
        }
        precondition(chapters.count == 22, "ICD-10 has 22 chapters")
        for line in ICD10Data.categories.split(separator: "\n") {
            let f = line.split(separator: "|").map(String.init)
            guard f.count == 3, let k = ICD10.key(f[0]), f[0].utf8.count == 3 else { preconditionFailure("bad ICD-10 category line: \(line)") }
            precondition(categoryByKey[k] < 0 && chapterByKey[k] >= 0, "ICD-10 category \(f[0]) repeated or outside every chapter")
            categoryByKey[k] = Int16(categories.count)
            categories.append(ICD10.Category(code: f[0], title: f[1], englishTitle: f[2]))
        }
    }
}
