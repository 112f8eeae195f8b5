extension Patient {
    /// Decodes a body straight from its JSON bytes, without a JSON tree, when it is valid against
    /// the schema. Nil when it is not, or when it uses JSON this path leaves to the parser (a
    /// member name with an escape, a repeated member); ``decode(_:)`` over the parsed tree then
    /// gives the verdict with every violation. A value this returns is the value the tree path
    /// returns for the same bytes (the tests compare both on valid and broken records).
    public static func decodeValid(bytes: UnsafeRawBufferPointer) -> Patient? {
        var r = JSONReader(bytes)
        guard r.beginObject() else { return nil }
        var id: String?, person: Person?, visit: Visit?, notes: String?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard r.atEnd(), let id, let person, let visit else { return nil }
                return Patient(id: id, patient: person, visit: visit, notes: notes)
            }
            if key.equals("id") {
                guard seen.insert(0), let s = r.itemID() else { return nil }
                id = s
            } else if key.equals("kind") {
                guard seen.insert(1), r.string() == schemaName else { return nil }
            } else if key.equals("patient") {
                guard seen.insert(2), let p = decodePerson(&r) else { return nil }
                person = p
            } else if key.equals("visit") {
                guard seen.insert(3), let v = decodeVisit(&r) else { return nil }
                visit = v
            } else if key.equals("notes") {
                guard seen.insert(4), let s = r.string(min: 0, max: 10_000) else { return nil }
                notes = s
            } else {
                return nil
            }
        }
        return nil
    }

    private static func decodePerson(_ r: inout JSONReader) -> Person? {
        guard r.beginObject() else { return nil }
        var name: String?, nid: String?, sex: Sex?, birth: CalendarDate?, ethnicity: String?, phone: String?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard let name, let nid, let sex, let birth else { return nil }
                return Person(name: name, nationalID: nid, sex: sex, birthDate: birth, ethnicity: ethnicity, phone: phone)
            }
            if key.equals("name") {
                guard seen.insert(0), let s = r.string(max: 100) else { return nil }
                name = s
            } else if key.equals("national_id") {
                guard seen.insert(1), let s = r.string(), !s.isEmpty, Patterns.isNationalIDShape(s) else { return nil }
                nid = s
            } else if key.equals("sex") {
                guard seen.insert(2), let s = r.string(), let v = Sex(rawValue: s) else { return nil }
                sex = v
            } else if key.equals("birth_date") {
                guard seen.insert(3), let s = r.string(), let d = CalendarDate.parse(s) else { return nil }
                birth = d
            } else if key.equals("ethnicity") {
                guard seen.insert(4), let s = r.string(max: 50) else { return nil }
                ethnicity = s
            } else if key.equals("phone") {
                guard seen.insert(5), let s = r.string(), !s.isEmpty, Patterns.isPhone(s) else { return nil }
                phone = s
            } else {
                return nil
            }
        }
        return nil
    }

    private static func decodeVisit(_ r: inout JSONReader) -> Visit? {
        guard r.beginObject() else { return nil }
        var date: CalendarDate?, facility: String?, department: String?, kind: VisitKind?, codes: [String]?
        var physician: String?, cost: Double?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard let date, let facility, let department, let kind, let codes else { return nil }
                return Visit(date: date, facility: facility, department: department, kind: kind, icd10: codes,
                             physician: physician, costCNY: cost)
            }
            if key.equals("date") {
                guard seen.insert(0), let s = r.string(), let d = CalendarDate.parse(s) else { return nil }
                date = d
            } else if key.equals("facility") {
                guard seen.insert(1), let s = r.string(max: 200) else { return nil }
                facility = s
            } else if key.equals("department") {
                guard seen.insert(2), let s = r.string(max: 100) else { return nil }
                department = s
            } else if key.equals("kind") {
                guard seen.insert(3), let s = r.string(), let k = VisitKind(rawValue: s) else { return nil }
                kind = k
            } else if key.equals("icd10") {
                guard seen.insert(4), let c = r.strings(maxCount: 20, where: Patterns.isICD10) else { return nil }
                codes = c
            } else if key.equals("physician") {
                guard seen.insert(5), let s = r.string(max: 100) else { return nil }
                physician = s
            } else if key.equals("cost_cny") {
                guard seen.insert(6), let n = r.number(), n >= 0 else { return nil }
                cost = n
            } else {
                return nil
            }
        }
        return nil
    }
}
