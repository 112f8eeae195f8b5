import KarezProtocol

/// The `enrichment` object of a stored patient record:
///
/// ```json
/// {"age_at_visit": 45, "age_band": "45-64",
///  "region": {"code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"},
///  "icd10": [{"code": "M54.5", "chapter": "XIII", "chapter_title": "肌肉骨骼系统和结缔组织疾病", "title": "背痛"}],
///  "procedure": {"surgery": false, "checkup": false},
///  "national_id_masked": "650402-1978", "patient_pseudonym": "3f9c…"}
/// ```
///
/// - `age_at_visit`: whole years from `birth_date` to `visit.date`; `age_band` one of `0-14`,
///   `15-24`, `25-44`, `45-64`, `65+`.
/// - `region`: the ID's 6-digit division code with its province and, when known, prefecture.
/// - `icd10`: per code, its chapter's roman numeral and title, and `title`: the 3-character
///   category's title where the table has it, else the chapter's title.
/// - `procedure.surgery`: the visit kind is `surgery`; `procedure.checkup`: the kind is `checkup`
///   or a code lies in Z00–Z13 (examinations and screening of people without complaint).
/// - `national_id_masked`: division code and birth year only.
/// - `patient_pseudonym`: the keyed pseudonym of the normalised 18-character ID (domain
///   `national_id`), the same value that replaces `patient.national_id` in the stored body.
enum PatientEnrichment {
    /// Whole years from `birth` to `date` (0 when `date` is earlier).
    static func age(born birth: CalendarDate, on date: CalendarDate) -> Int {
        var years = date.year - birth.year
        if (date.month, date.day) < (birth.month, birth.day) { years -= 1 }
        return max(0, years)
    }

    /// The age band of an age in whole years.
    static func ageBand(_ age: Int) -> String {
        switch age {
        case ..<15: "0-14"
        case ..<25: "15-24"
        case ..<45: "25-44"
        case ..<65: "45-64"
        default: "65+"
        }
    }

    /// True for categories Z00–Z13: examination and investigation of people without complaint.
    static func isCheckupCode(_ code: String) -> Bool {
        guard let key = ICD10.key(code) else { return false }
        return key >= 25 * 100 && key <= 25 * 100 + 13
    }

    /// Writes the enrichment object of a record that passed every rule.
    static func write(_ patient: Patient, id: ResidentID, pseudonym: String, into out: inout JSONByteSink) {
        let visit = patient.visit
        let age = age(born: patient.patient.birthDate, on: visit.date)
        out.writeMember("{\"age_at_visit\":", number: Double(age))
        out.writeMember(",\"age_band\":", ageBand(age))
        let division = id.divisionCode
        if let region = Gazetteer.region(divisionCode: division) {
            out.append(",\"region\":")
            RegionJSON.write(division: division, region: region, into: &out)
        }
        out.append(",\"icd10\":[")
        var checkupCode = false, first = true
        for code in visit.icd10 {
            guard let entry = PatientTemplates.icd10Entry(code) else { continue }
            out.append(first ? "{\"code\":" : ",{\"code\":")
            first = false
            out.writeString(code)
            out.writeMember(",\"chapter\":", entry.chapter)
            out.writeMember(",\"chapter_title\":", entry.chapterTitle)
            out.writeMember(",\"title\":", entry.title)
            out.append(UInt8(ascii: "}"))
            checkupCode = checkupCode || isCheckupCode(code)
        }
        out.append("],\"procedure\":{\"surgery\":")
        out.append(visit.kind == .surgery ? "true" : "false")
        out.append(",\"checkup\":")
        out.append(visit.kind == .checkup || checkupCode ? "true" : "false")
        out.writeMember("},\"national_id_masked\":", id.masked)
        out.writeMember(",\"patient_pseudonym\":", pseudonym)
        out.append(UInt8(ascii: "}"))
    }
}
