import KarezProtocol

/// Parts of the patient enrichment that depend only on their inputs' few possible values, made
/// once: the ICD-10 category texts.
enum PatientTemplates {
    /// The values of an `icd10` entry besides its `code`.
    struct ICD10Entry {
        var chapter: String
        var chapterTitle: String
        var title: String
    }

    /// The entry of every 3-character category inside a chapter, by ``ICD10/key(_:)``: its
    /// chapter's roman numeral and title, and the category's title where the table has it, else
    /// the chapter's; nil outside every chapter.
    static let icd10Entries: [ICD10Entry?] = (0..<2600).map { key in
        let code = String(Character(Unicode.Scalar(UInt8(0x41 + key / 100)))) + (key % 100 < 10 ? "0" : "") + String(key % 100)
        guard let chapter = ICD10.chapter(of: code) else { return nil }
        let title = ICD10.category(of: code)?.title ?? chapter.title
        return ICD10Entry(chapter: chapter.roman, chapterTitle: chapter.title, title: title)
    }

    /// The entry of a code's category, nil when it lies in no chapter.
    static func icd10Entry(_ code: String) -> ICD10Entry? {
        guard let key = ICD10.key(code) else { return nil }
        return icd10Entries[key]
    }
}
