import KarezProtocol

/// Prebuilt JSON objects of the patient enrichment, made once: each record copies a template and
/// fills it in place instead of growing new objects member by member.
enum PatientTemplates {
    /// The enrichment object's members in order, with placeholder values.
    static let root = JSONObject([
        ("age_at_visit", .null), ("age_band", .null), ("region", .null), ("icd10", .null), ("procedure", .null),
        ("national_id_masked", .null), ("patient_pseudonym", .null),
    ])

    /// The four `procedure` objects, by `surgery * 2 + checkup`.
    static let procedures: [JSONValue] = [(false, false), (false, true), (true, false), (true, true)].map { surgery, checkup in
        .object(JSONObject([("surgery", .bool(surgery)), ("checkup", .bool(checkup))]))
    }

    static func procedure(surgery: Bool, checkup: Bool) -> JSONValue {
        procedures[(surgery ? 2 : 0) + (checkup ? 1 : 0)]
    }

    /// `{"code", "chapter", "chapter_title", "title"}` for every 3-character category inside a
    /// chapter, by ``ICD10/key(_:)``, with `code` still to be set; nil outside every chapter.
    static let icd10Entries: [JSONObject?] = (0..<2600).map { key in
        let code = String(Character(Unicode.Scalar(UInt8(0x41 + key / 100)))) + (key % 100 < 10 ? "0" : "") + String(key % 100)
        guard let chapter = ICD10.chapter(of: code) else { return nil }
        let title = ICD10.category(of: code)?.title ?? chapter.title
        return JSONObject([("code", .null), ("chapter", .string(chapter.roman)), ("chapter_title", .string(chapter.title)),
                           ("title", .string(title))])
    }

    /// The entry template of a code's category, nil when it lies in no chapter.
    static func icd10Entry(_ code: String) -> JSONObject? {
        guard let key = ICD10.key(code) else { return nil }
        return icd10Entries[key]
    }
}
