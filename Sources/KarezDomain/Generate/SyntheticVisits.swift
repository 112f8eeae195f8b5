import KarezProtocol

/// Departments, diagnoses and costs of synthetic visits, by visit kind.
enum SyntheticVisits {
    /// A department with the ICD-10 codes typical of it.
    struct Department {
        var name: String
        var codes: [String]
    }

    static let outpatient: [(Department, Int)] = [
        (Department(name: "中医科", codes: ["M54.5", "M47.8", "M17.9", "G47.0", "R42", "I10", "M75.1", "K30", "M51.2"]), 30),
        (Department(name: "内科", codes: ["I10", "E11.9", "J06.9", "J20.9", "K29.5", "I25.1", "J44.9", "E78.5", "K21.9"]), 28),
        (Department(name: "外科", codes: ["S61.9", "L02.4", "K40.9", "S93.4", "T14.0", "L03.1"]), 8),
        (Department(name: "儿科", codes: ["J06.9", "J18.9", "A09.9", "J02.9", "J03.9", "R50.9", "B01.9"]), 10),
        (Department(name: "妇产科", codes: ["N76.0", "Z34.0", "N92.0", "N73.9", "O21.0", "N95.1"]), 8),
        (Department(name: "口腔科", codes: ["K02.1", "K05.1", "K04.0", "K08.8"]), 6),
        (Department(name: "眼科", codes: ["H10.9", "H25.9", "H52.1", "H11.0", "H04.1"]), 4),
        (Department(name: "耳鼻喉科", codes: ["J31.0", "H65.9", "J30.4", "J32.9", "H61.2"]), 3),
        (Department(name: "皮肤科", codes: ["L30.9", "L50.9", "B35.4", "L20.9", "L70.0"]), 3),
    ]
    static let inpatient: [(Department, Int)] = [
        (Department(name: "内科", codes: ["I10", "I63.9", "J18.9", "J44.1", "E11.6", "I50.0", "I25.1", "N18.3"]), 45),
        (Department(name: "中医科", codes: ["M51.2", "M17.9", "I69.3", "G51.0"]), 20),
        (Department(name: "外科", codes: ["S82.8", "S52.5", "K56.7", "S22.3"]), 15),
        (Department(name: "儿科", codes: ["J18.9", "A09.9", "J21.9"]), 10),
        (Department(name: "妇产科", codes: ["O80", "O82.0", "O24.4"]), 10),
    ]
    static let consult: [(Department, Int)] = [
        (Department(name: "超声科", codes: ["K76.0", "K80.2", "N20.0", "R10.4", "D25.9", "E04.1"]), 40),
        (Department(name: "中医科", codes: ["M54.5", "G47.0", "K30", "N95.1"]), 40),
        (Department(name: "病理科", codes: ["K29.5", "D24", "N60.1"]), 20),
    ]
    static let checkupCodes: [([String], Int)] = [([], 40), (["Z00.0"], 40), (["Z10.0"], 12), (["Z00.0", "E78.5"], 5), (["Z00.0", "I10"], 3)]
    static let surgery: [(Department, Int)] = [
        (Department(name: "普外科", codes: ["K35.8", "K80.2", "K40.9", "K64.9", "K81.0"]), 35),
        (Department(name: "骨科", codes: ["S72.0", "S82.8", "S52.5", "M17.1"]), 25),
        (Department(name: "泌尿外科", codes: ["N20.0", "N20.1", "N40"]), 15),
        (Department(name: "眼科", codes: ["H25.9", "H26.9"]), 15),
        (Department(name: "妇科", codes: ["D25.9", "N83.2", "N84.0"]), 10),
    ]
    /// Chronic conditions older patients often carry as a second code.
    static let chronic = ["I10", "E11.9", "E78.5", "I25.1"]

    /// True when a code suits a patient's sex and age (no prostate codes for women, no
    /// pregnancy or gynaecology codes for men, children or women past 50).
    static func fits(_ code: String, male: Bool, age: Int) -> Bool {
        let maleOnly = code.hasPrefix("N40") || code.hasPrefix("N41")
        let female = code.hasPrefix("N6") || code.hasPrefix("N7") || code.hasPrefix("N8") || code.hasPrefix("N9")
            || code.hasPrefix("D24") || code.hasPrefix("D25")
        let pregnancy = code.hasPrefix("O") || code.hasPrefix("Z34")
        if maleOnly { return male && age >= 18 }
        if pregnancy { return !male && (18...49).contains(age) }
        if female { return !male && age >= 15 }
        return true
    }

    /// Department, codes and cost of a visit of `kind` by a person of `age` and sex.
    static func draw(_ kind: Patient.VisitKind, age: Int, male: Bool, _ r: inout SplitMix64) -> (department: String, icd10: [String], cost: Double) {
        if kind == .checkup {
            let codes = r.pick(weighted: checkupCodes)
            return ("体检中心", codes, Double(r.int(0, 30) * 10))
        }
        let table: [(Department, Int)]
        let costRange: ClosedRange<Int>
        switch kind {
        case .outpatient: (table, costRange) = (outpatient, 30...400)
        case .inpatient: (table, costRange) = (inpatient, 2_000...25_000)
        case .consult: (table, costRange) = (consult, 80...300)
        case .surgery: (table, costRange) = (surgery, 3_000...30_000)
        case .checkup: (table, costRange) = ([], 0...0)
        }
        // Children go to paediatrics where there is one, adults never; the codes must suit the patient.
        let hasPaediatrics = table.contains { $0.0.name == "儿科" }
        let candidates = table.compactMap { entry -> (Department, Int)? in
            if entry.0.name == "儿科" ? age >= 15 : (age < 15 && hasPaediatrics) { return nil }
            let codes = entry.0.codes.filter { fits($0, male: male, age: age) }
            return codes.isEmpty ? nil : (Department(name: entry.0.name, codes: codes), entry.1)
        }
        let department = r.pick(weighted: candidates)
        var codes = [r.pick(department.codes)]
        if age >= 50 && kind != .surgery && r.chance(0.3) {
            let extra = r.pick(chronic)
            if !codes.contains(extra) { codes.append(extra) }
        }
        let cost = Double(r.int(costRange) * 10 + r.below(10)) / 10
        return (department.name, codes, cost)
    }

    /// A patient record.
    static func item(id: String, person: SyntheticPerson, date: CalendarDate, facility: String, department: String,
                     kind: Patient.VisitKind, icd10: [String], physician: String, cost: Double) -> JSONValue {
        .object(JSONObject([
            ("id", .string(id)), ("kind", "patient"), ("patient", person.json),
            ("visit", .object(JSONObject([
                ("date", .string(date.description)), ("facility", .string(facility)), ("department", .string(department)),
                ("kind", .string(kind.rawValue)), ("icd10", .array(icd10.map { .string($0) })), ("physician", .string(physician)),
                ("cost_cny", .number(cost)),
            ]))),
        ]))
    }

    /// A fixed roster of physician names for a facility, the same for every run.
    static func physicians(of facility: String) -> [String] {
        var seed: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in facility.utf8 { seed = (seed ^ UInt64(b)) &* 0x100_0000_01B3 }
        var r = SplitMix64(seed: seed)
        return (0..<12).map { _ in
            let male = r.chance(0.5)
            return r.chance(0.7) ? SyntheticNames.hanName(male: male, &r) : SyntheticNames.name(ethnicity: "维吾尔族", male: male, &r)
        }
    }
}
