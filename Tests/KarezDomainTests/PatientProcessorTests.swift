import KarezDomain
import KarezProtocol
import Testing

@Suite("Patient processing")
struct PatientProcessorTests {
    typealias F = PatientFixtures
    let processor = PatientProcessor()

    func base() throws -> JSONValue { try F.vector("patient", "outpatient-tcm-221-hospital.json") }

    func process(_ body: JSONValue, today: CalendarDate = F.today) -> Result<ProcessedItem, ErrorBody> {
        processor.process(body, context: ProcessingContext(today: today, pseudonymizer: .development))
    }

    /// A body whose national ID is `first17` plus its right check character.
    func withID(_ body: JSONValue, _ first17: String, birth: String? = nil, sex: String? = nil) -> JSONValue {
        let id = first17 + String(ReferenceResidentIDTests.expectedCheck(first17))
        var b = F.setting(body, ["patient", "national_id"], .string(id))
        if let birth { b = F.setting(b, ["patient", "birth_date"], .string(birth)) }
        if let sex { b = F.setting(b, ["patient", "sex"], .string(sex)) }
        return b
    }

    @Test("every valid proto-json patient vector passes domain processing")
    func validVectors() throws {
        let vectors = try F.vectors("patient")
        #expect(vectors.count >= 10)
        for (name, json) in vectors {
            let result = process(json)
            #expect(F.violations(result).isEmpty, "\(name): \(F.violations(result))")
        }
    }

    @Test("every invalid proto-json patient vector is refused")
    func invalidVectors() throws {
        for (name, json) in try F.vectors("patient", "invalid") {
            #expect(!F.violations(process(json)).isEmpty, "\(name) passed")
        }
    }

    @Test("the stored body has name and ID pseudonymised, the phone, sex and birth date removed, nothing else changed")
    func pseudonymisedBody() throws {
        let body = try base()
        let item = try process(body).get()
        let p = Pseudonymizer.development
        let person = try #require(item.body["patient"]?.objectValue)
        #expect(person["name"] == .string(p.pseudonym("阿依古丽·买买提", domain: "name")))
        #expect(person["national_id"] == .string(p.pseudonym("650402197804160147", domain: "national_id")))
        #expect(person["phone"] == nil)
        #expect(person.keys == ["name", "national_id", "ethnicity"])
        var expected = F.setting(body, ["patient", "name"], person["name"])
        expected = F.setting(expected, ["patient", "national_id"], person["national_id"])
        for member in ["phone", "sex", "birth_date"] { expected = F.setting(expected, ["patient", member], nil) }
        #expect(item.body == expected)
        let text = JSONWriter.string(item.record)
        #expect(!text.contains("阿依古丽"))
        #expect(!text.contains("650402197804160147"))
        #expect(!text.contains("13899501234"))
    }

    @Test("enrichment of the outpatient vector")
    func enrichment() throws {
        let item = try process(try base()).get()
        let e = item.enrichment
        #expect(e["age_at_visit"] == 45)  // born 1978-04-16, visit 2023-09-12
        #expect(e["age_band"] == "45-64")
        #expect(e["region"] == ["code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"])
        #expect(e["icd10"] == [["code": "M54.5", "chapter": "XIII", "chapter_title": "肌肉骨骼系统和结缔组织疾病", "title": "背痛"]])
        #expect(e["procedure"] == ["surgery": false, "checkup": false])
        #expect(e["national_id_masked"] == "650402-1978")
        #expect(e["patient_pseudonym"] == .string(Pseudonymizer.development.pseudonym("650402197804160147", domain: "national_id")))
        #expect(e["patient_pseudonym"] == item.body["patient"]?["national_id"])
        #expect(item.id == "pt-221-2023-000101")
        #expect(item.kind == "patient")
    }

    @Test("one patient_visits fact with kind, facility and department")
    func facts() throws {
        let item = try process(try base()).get()
        #expect(item.facts == [DomainFact("patient_visits", ["kind": "outpatient", "facility": "二二一团职工医院", "department": "中医科"], 1)])
    }

    @Test("procedure flags: surgery, checkup by kind and by Z00-Z13 codes")
    func procedureFlags() throws {
        let surgery = try process(try F.vector("patient", "surgery-turpan-peoples-hospital.json")).get()
        #expect(surgery.enrichment["procedure"] == ["surgery": true, "checkup": false])
        let checkup = try process(try F.vector("patient", "checkup-without-diagnoses.json")).get()
        #expect(checkup.enrichment["procedure"] == ["surgery": false, "checkup": true])
        #expect(checkup.enrichment["icd10"] == [])
        let screening = try process(F.setting(try base(), ["visit", "icd10"], ["Z00.0"])).get()
        #expect(screening.enrichment["procedure"] == ["surgery": false, "checkup": true])
        let z95 = try process(F.setting(try base(), ["visit", "icd10"], ["Z95.5"])).get()
        #expect(z95.enrichment["procedure"] == ["surgery": false, "checkup": false])
    }

    @Test("an unknown category takes its chapter's title")
    func unknownCategoryTitle() throws {
        let item = try process(F.setting(try base(), ["visit", "icd10"], ["K36"])).get()
        #expect(item.enrichment["icd10"] == [["code": "K36", "chapter": "XI", "chapter_title": "消化系统疾病", "title": "消化系统疾病"]])
    }

    @Test("15-digit and lower-case-x IDs get the pseudonym of their normalised form")
    func normalisedPseudonym() throws {
        let p = Pseudonymizer.development
        let legacy = try process(try F.vector("patient", "national-id-legacy-15-digits.json")).get()
        #expect(legacy.enrichment["patient_pseudonym"] == .string(p.pseudonym("43090219480312135X", domain: "national_id")))
        #expect(legacy.enrichment["national_id_masked"] == "430902-1948")
        #expect(legacy.enrichment["region"] == ["code": "430902", "province": "湖南省", "prefecture": "益阳市"])
        let lower = try process(try F.vector("patient", "national-id-check-char-lowercase-x.json")).get()
        let upper = try process(F.setting(try F.vector("patient", "national-id-check-char-lowercase-x.json"),
                                          ["patient", "national_id"], "65042219950319038X")).get()
        #expect(lower.enrichment["patient_pseudonym"] == upper.enrichment["patient_pseudonym"])
        #expect(lower.body["patient"]?["national_id"] == .string(p.pseudonym("65042219950319038X", domain: "national_id")))
    }

    @Test("a wrong check character: checksum, naming no part of the ID nor the character that would pass")
    func checksum() throws {
        let body = F.setting(try base(), ["patient", "national_id"], "650402197804160148")
        let v = F.violations(process(body))
        #expect(v.map(\.path) == ["/patient/national_id"])
        #expect(v.map(\.code) == ["checksum"])
        let message = try #require(v.first?.message)
        #expect(!message.contains("\"7\"") && !message.contains("call for"))
        #expect(!message.contains("650402"))
        #expect(!message.contains("650402197804160148"))
        #expect(!message.contains("19780416"))
        #expect(!message.contains("阿依古丽"))
    }

    @Test("birth date differing from the ID: inconsistent at /patient/birth_date")
    func birthInconsistent() throws {
        let v = F.violations(process(F.setting(try base(), ["patient", "birth_date"], "1978-04-17")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/patient/birth_date inconsistent"])
        #expect(!v[0].message.contains("1978"))
    }

    @Test("sex differing from the ID: inconsistent at /patient/sex")
    func sexInconsistent() throws {
        let v = F.violations(process(F.setting(try base(), ["patient", "sex"], "M")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/patient/sex inconsistent"])
    }

    @Test("an unknown province: unknown_region")
    func unknownRegion() throws {
        let v = F.violations(process(withID(try base(), "99040219780416014")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/patient/national_id unknown_region"])
        // Known province, unknown prefecture: accepted, region without prefecture.
        let item = try process(withID(try base(), "65990019780416014")).get()
        #expect(item.enrichment["region"] == ["code": "659900", "province": "新疆维吾尔自治区"])
    }

    @Test("an embedded birth date that does not exist: format, plus the mismatch with birth_date")
    func impossibleEmbeddedDate() throws {
        let v = F.violations(process(withID(try base(), "65040219780230014")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/patient/national_id format"])
    }

    @Test("dates in the future: date_future, against the context's today")
    func futureDates() throws {
        let body = try base()
        let v = F.violations(process(F.setting(body, ["visit", "date"], "2026-11-30")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/visit/date date_future"])
        #expect(F.violations(process(F.setting(body, ["visit", "date"], "2026-11-29"))).isEmpty)
        // Visit on today's date is fine; the same record is in the future for an earlier today.
        #expect(F.violations(process(body, today: CalendarDate(year: 2023, month: 9, day: 11))).map(\.code) == ["date_future"])
        // A birth date in the future (newborn ID from next year).
        let unborn = withID(body, "65040220270101014", birth: "2027-01-01")
        let u = F.violations(process(F.setting(unborn, ["visit", "date"], "2026-01-01")))
        #expect(u.map { "\($0.path) \($0.code)" } == ["/patient/birth_date date_future", "/visit/date inconsistent"])
    }

    @Test("a visit before the birth date: inconsistent at /visit/date")
    func visitBeforeBirth() throws {
        let v = F.violations(process(F.setting(try base(), ["visit", "date"], "1978-04-15")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/visit/date inconsistent"])
        #expect(F.violations(process(F.setting(try base(), ["visit", "date"], "1978-04-16"))).isEmpty)
    }

    @Test("an ICD-10 code outside every chapter: unknown_code at its index")
    func unknownICD10Chapter() throws {
        let v = F.violations(process(F.setting(try base(), ["visit", "icd10"], ["M54.5", "H99", "U99.1"])))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/visit/icd10/1 unknown_code", "/visit/icd10/2 unknown_code"])
    }

    @Test("every violation is reported, schema failures come first and alone")
    func everyViolation() throws {
        var body = F.setting(try base(), ["patient", "national_id"], "650402197804160148")
        body = F.setting(body, ["patient", "sex"], "M")
        body = F.setting(body, ["visit", "date"], "2030-01-01")
        body = F.setting(body, ["visit", "icd10"], ["H99"])
        let v = F.violations(process(body))
        #expect(v.map(\.code) == ["checksum", "inconsistent", "date_future", "unknown_code"])
        let schema = F.violations(process(F.setting(try base(), ["visit"], nil)))
        #expect(schema.map { "\($0.path) \($0.code)" } == ["/visit required"])
    }

    @Test("age at visit and age bands", arguments: [
        ("2009-09-13", "0-14", 13), ("2008-09-12", "15-24", 15), ("1999-09-13", "15-24", 23), ("1998-09-12", "25-44", 25),
        ("1978-09-13", "25-44", 44), ("1978-09-12", "45-64", 45), ("1958-09-12", "65+", 65), ("1930-02-28", "65+", 93),
    ])
    func ageBands(_ birth: String, _ band: String, _ age: Int) throws {
        let date = try #require(CalendarDate.parse(birth))
        let first17 = "650402" + birth.filter { $0 != "-" } + "014"
        let body = withID(try base(), first17, birth: birth)
        let item = try process(body).get()
        #expect(item.enrichment["age_at_visit"] == .number(Double(age)), "\(date)")
        #expect(item.enrichment["age_band"] == .string(band))
    }
}

