import KarezProtocol

/// Synthetic patient records: visits to the hospitals of Turpan and Yiyang by a population that
/// returns now and then (a quarter of visits are by someone seen before).
enum SyntheticPatients {
    /// Facilities with the divisions their patients come from and relative weights.
    static let facilities: [((name: String, divisions: [(String, Int)]), Int)] = [
        (("二二一团职工医院", SyntheticPerson.turpanDivisions), 45),
        (("吐鲁番市人民医院", SyntheticPerson.turpanDivisions), 20),
        (("高昌区人民医院", SyntheticPerson.turpanDivisions), 15),
        (("鄯善县人民医院", [("650421", 1)]), 5),
        (("益阳市第一中医医院", SyntheticPerson.yiyangDivisions), 10),
        (("益阳市中心医院", SyntheticPerson.yiyangDivisions), 5),
    ]
    static let kinds: [(Patient.VisitKind, Int)] = [(.outpatient, 55), (.inpatient, 10), (.consult, 8), (.checkup, 20), (.surgery, 7)]

    /// Visits happen in the year from the work team's arrival.
    static let firstDay = CalendarDate(year: 2023, month: 5, day: 24)
    static let days = 366

    /// `count` records from `seed`, handed to `emit` one at a time.
    static func generate(count: Int, seed: UInt64, _ emit: (JSONValue) -> Void) {
        guard count > 0 else { return }
        var r = SplitMix64(seed: seed)
        var recent: [SyntheticPerson] = []
        var rosters: [String: [String]] = [:]
        for n in 1...count {
            let facility = r.pick(weighted: facilities)
            let person: SyntheticPerson
            if !recent.isEmpty && r.chance(0.25) {
                person = recent[r.below(recent.count)]
            } else {
                person = SyntheticPerson.make(divisions: facility.divisions, asOf: firstDay, &r)
                if recent.count < 5_000 { recent.append(person) } else { recent[r.below(recent.count)] = person }
            }
            let kind = r.pick(weighted: kinds)
            let date = CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(days))
            let age = PatientEnrichment.age(born: person.birthDate, on: date)
            let visit = SyntheticVisits.draw(kind, age: age, male: person.male, &r)
            let roster = rosters[facility.name] ?? SyntheticVisits.physicians(of: facility.name)
            rosters[facility.name] = roster
            emit(SyntheticVisits.item(id: "pt-s\(seed)-\(pad(n, 7))", person: person, date: date, facility: facility.name,
                                      department: visit.department, kind: kind, icd10: visit.icd10, physician: r.pick(roster),
                                      cost: visit.cost))
        }
    }

    /// `n` in decimal, zero-padded to `width`.
    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
