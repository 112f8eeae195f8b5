import KarezProtocol

/// The reference data set: the reference story, and patients, leads and short stories whose
/// processed facts add up exactly to its figures (``ReferenceFigures``), plus a few invalid items
/// that show refusals with their reasons. The same on every run.
///
/// Order: the story; the 1 467 visits by date; the 17 leads; the 104 short stories; the
/// invalid items. Every item carries `"id"` and `"kind"`.
public enum ReferenceDataSet {
    /// The generator seed of the set (the regiment's number).
    public static let seed: UInt64 = 221

    /// Every item of the set, in order.
    public static func items() -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(ReferenceFigures.totalItems)
        generate { out.append($0) }
        return out
    }

    /// Hands every item of the set to `emit`, in order.
    public static func generate(_ emit: (JSONValue) -> Void) {
        var r = SplitMix64(seed: seed)
        emit(story)
        for visit in visits(&r) { emit(visit) }
        for lead in ReferenceLeads.items() { emit(lead) }
        let outlets = ReferenceFigures.newsOutlets
        for n in 1...ReferenceFigures.newsStories {
            // Every outlet in turn for the first round, then at random.
            let outlet = n <= outlets.count ? outlets[n - 1] : r.pick(outlets)
            let day = CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(span))
            emit(SyntheticNews.item(id: "news-ref-" + SyntheticPatients.pad(n, 3), outlet: outlet, day: day, &r))
        }
        for bad in invalidItems(&r) { emit(bad) }
    }

    static let firstDay = CalendarDate.parse(ReferenceFigures.firstDay)!
    static let lastDay = CalendarDate.parse(ReferenceFigures.lastDay)!
    /// Days from the first to the last day, both included.
    static let span = lastDay.daysSinceEpoch - firstDay.daysSinceEpoch + 1

    static var story: JSONValue {
        .object(JSONObject([
            ("id", .string(ReferenceStory.id)), ("kind", "news"), ("title", .string(ReferenceStory.title)),
            ("body", .string(ReferenceStory.body)), ("language", .string(ReferenceStory.language)),
            ("source", .string(ReferenceStory.source)), ("published_at", .string(ReferenceStory.publishedAt)),
            ("tags", ["对口援疆", "二二一团", "益阳援疆"]),
        ]))
    }

    /// The visits: 723 to the regiment hospital, 706 health checks there (each by a different
    /// person) and 38 surgeries at the two hospitals, numbered by date.
    static func visits(_ r: inout SplitMix64) -> [JSONValue] {
        struct Planned {
            var date: CalendarDate
            var order: Int
            var person: SyntheticPerson
            var facility: String
            var kind: Patient.VisitKind
        }
        let regiment = ReferenceFigures.regimentHospital
        var pool: [SyntheticPerson] = []
        for _ in 0..<1_000 { pool.append(SyntheticPerson.make(divisions: SyntheticPerson.turpanDivisions, asOf: firstDay, &r)) }
        var planned: [Planned] = []
        func day(_ r: inout SplitMix64) -> CalendarDate { CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(span)) }
        for (kind, count) in ReferenceFigures.regimentVisitsByKind {
            for _ in 0..<count {
                let date = day(&r)
                planned.append(Planned(date: date, order: planned.count, person: r.pick(pool), facility: regiment,
                                       kind: Patient.VisitKind(rawValue: kind)!))
            }
        }
        for person in r.shuffled(pool).prefix(ReferenceFigures.healthChecks) {
            planned.append(Planned(date: day(&r), order: planned.count, person: person, facility: regiment, kind: .checkup))
        }
        let adults: [(ClosedRange<Int>, Int)] = [(15...44, 30), (45...64, 45), (65...85, 25)]
        for _ in 0..<ReferenceFigures.surgeries {
            let person = SyntheticPerson.make(divisions: [("650402", 70), ("650421", 15), ("650422", 15)], asOf: firstDay, ages: adults, &r)
            let facility = r.pick(weighted: [(ReferenceFigures.surgeryHospitals[0], 3), (ReferenceFigures.surgeryHospitals[1], 2)])
            planned.append(Planned(date: day(&r), order: planned.count, person: person, facility: facility, kind: .surgery))
        }
        planned.sort { ($0.date, $0.order) < ($1.date, $1.order) }
        var rosters: [String: [String]] = [:]
        var out: [JSONValue] = []
        out.reserveCapacity(planned.count)
        for (n, p) in planned.enumerated() {
            let age = PatientEnrichment.age(born: p.person.birthDate, on: p.date)
            let visit = SyntheticVisits.draw(p.kind, age: age, male: p.person.male, &r)
            let roster = rosters[p.facility] ?? SyntheticVisits.physicians(of: p.facility)
            rosters[p.facility] = roster
            out.append(SyntheticVisits.item(id: "pt-ref-" + SyntheticPatients.pad(n + 1, 6), person: p.person, date: p.date,
                                            facility: p.facility, department: visit.department, kind: p.kind, icd10: visit.icd10,
                                            physician: r.pick(roster), cost: visit.cost))
        }
        return out
    }

    /// Five items each refused for one reason: a wrong ID check character, a wrong credit-code check
    /// character, a visit date in the future (2204 for 2024), a story without a title and an
    /// ICD-10 code outside every chapter.
    static func invalidItems(_ r: inout SplitMix64) -> [JSONValue] {
        func patient(_ id: String, date: CalendarDate, codes: [String]?, person: SyntheticPerson, _ r: inout SplitMix64) -> JSONValue {
            let age = PatientEnrichment.age(born: person.birthDate, on: min(date, lastDay))
            let visit = SyntheticVisits.draw(.outpatient, age: age, male: person.male, &r)
            return SyntheticVisits.item(id: id, person: person, date: date, facility: ReferenceFigures.regimentHospital,
                                        department: visit.department, kind: .outpatient, icd10: codes ?? visit.icd10,
                                        physician: r.pick(SyntheticVisits.physicians(of: ReferenceFigures.regimentHospital)),
                                        cost: visit.cost)
        }
        func adult(_ r: inout SplitMix64) -> SyntheticPerson {
            var p = SyntheticPerson.make(divisions: [("650402", 1)], asOf: firstDay, ages: [(25...60, 1)], &r)
            // An 18-character upper-case ID, so that changing its last character is a clear mistake.
            p.nationalID = ResidentID(p.nationalID)!.normalized
            return p
        }
        var wrongCheck = adult(&r)
        let id = ResidentID(wrongCheck.nationalID)!
        let wrong: Character = id.expectedCheckCharacter == "0" ? "1" : "0"
        wrongCheck.nationalID = String(wrongCheck.nationalID.dropLast()) + String(wrong)

        // A contacted lead sent again with its credit code mistyped.
        let lead = ReferenceLeads.items()[4]
        let code = lead["company"]?["credit_code"]?.stringValue ?? ""
        let badCode = String(code.dropLast()) + (code.hasSuffix("0") ? "1" : "0")
        var badLead = lead.objectValue!
        badLead["id"] = "bad-lead-credit-code-check"
        var company = badLead["company"]!.objectValue!
        company["credit_code"] = .string(badCode)
        badLead["company"] = .object(company)

        let future = CalendarDate(year: 2204, month: 1, day: 4)
        let visitDay = CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(span))
        var untitled = SyntheticNews.item(id: "bad-news-missing-title", outlet: ReferenceFigures.newsOutlets[1], day: visitDay, &r).objectValue!
        untitled["title"] = nil

        return [
            patient("bad-pt-national-id-check", date: visitDay, codes: nil, person: wrongCheck, &r),
            .object(badLead),
            patient("bad-pt-visit-date-future", date: future, codes: nil, person: adult(&r), &r),
            .object(untitled),
            patient("bad-pt-icd10-unknown-chapter", date: visitDay, codes: ["H99"], person: adult(&r), &r),
        ]
    }
}
