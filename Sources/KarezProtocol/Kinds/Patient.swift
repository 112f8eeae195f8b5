/// A patient record (kind `patient`): who, and one visit.
public struct Patient: SchemaBody, Equatable {
    public static let schemaName = "patient"

    public enum Sex: String, Sendable { case male = "M", female = "F" }

    /// What kind of visit it was.
    public enum VisitKind: String, Sendable, CaseIterable {
        case outpatient, inpatient, surgery, checkup, consult
    }

    /// The person, with identifying fields that are pseudonymised before storage.
    public struct Person: Sendable, Equatable {
        public var name: String
        public var nationalID: String
        public var sex: Sex
        public var birthDate: CalendarDate
        public var ethnicity: String?
        public var phone: String?
    }

    /// One visit to a facility.
    public struct Visit: Sendable, Equatable {
        public var date: CalendarDate
        public var facility: String
        public var department: String
        public var kind: VisitKind
        public var icd10: [String]
        public var physician: String?
        public var costCNY: Double?
    }

    public var id: String
    public var patient: Person
    public var visit: Visit
    public var notes: String?

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> Patient? {
        c.quotesValues = false  // any member may hold personal data in a field-shifted record
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["id", "patient", "visit"], optional: ["kind", "notes"])
        c.constant(o, "kind", at: "", schemaName)
        let id = ItemID.check(o, &c)
        let person = c.nested(o, "patient", at: "", decodePerson)
        let visit = c.nested(o, "visit", at: "", decodeVisit)
        let notes = c.string(o, "notes", at: "", min: 0, max: 10_000)
        guard c.isValid, let id, let person, let visit else { return nil }
        return Patient(id: id, patient: person, visit: visit, notes: notes)
    }

    public static let visitKinds = VisitKind.allCases.map(\.rawValue)
    static let phoneHint = "a phone number: digits, spaces and dashes, optional leading +"

    static func decodePerson(_ c: inout SchemaChecker, _ o: JSONObject, _ p: String) -> Person? {
        c.members(o, at: p, required: ["name", "national_id", "sex", "birth_date"], optional: ["ethnicity", "phone"])
        let name = c.string(o, "name", at: p, max: 100)
        let nid = c.string(o, "national_id", at: p, max: .max, pattern: Patterns.isNationalIDShape,
                           patternHint: "a resident ID: 18 characters (17 digits and a digit or X) or 15 digits", personal: true)
        let sex = c.oneOf(o, "sex", at: p, ["M", "F"]).flatMap(Sex.init(rawValue:))
        let birth = c.date(o, "birth_date", at: p, personal: true)
        let ethnicity = c.string(o, "ethnicity", at: p, max: 50)
        let phone = c.string(o, "phone", at: p, max: .max, pattern: Patterns.isPhone, patternHint: phoneHint, personal: true)
        guard let name, let nid, let sex, let birth else { return nil }
        return Person(name: name, nationalID: nid, sex: sex, birthDate: birth, ethnicity: ethnicity, phone: phone)
    }

    static func decodeVisit(_ c: inout SchemaChecker, _ o: JSONObject, _ p: String) -> Visit? {
        c.members(o, at: p, required: ["date", "facility", "department", "kind", "icd10"], optional: ["physician", "cost_cny"])
        let date = c.date(o, "date", at: p)
        let facility = c.string(o, "facility", at: p, max: 200)
        let department = c.string(o, "department", at: p, max: 100)
        let kind = c.oneOf(o, "kind", at: p, visitKinds).flatMap(VisitKind.init(rawValue:))
        var codes: [String] = []
        let items = c.array(o, "icd10", at: p, maxItems: 20)
        for (i, item) in (items ?? []).enumerated() {
            if let code = c.stringLazy(item, at: JSONPointer.append(p + "/icd10", i), max: .max, pattern: Patterns.isICD10,
                                   patternHint: "an ICD-10 code such as K35 or K35.8 (capital letter, two digits, optional . and 1-2 digits)") {
                codes.append(code)
            }
        }
        let physician = c.string(o, "physician", at: p, max: 100)
        let cost = c.number(o, "cost_cny", at: p, minimum: 0)
        guard let date, let facility, let department, let kind, items != nil else { return nil }
        return Visit(date: date, facility: facility, department: department, kind: kind, icd10: codes,
                     physician: physician, costCNY: cost)
    }
}
