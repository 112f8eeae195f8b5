import KarezProtocol

/// A synthetic patient: a plausible name, a resident ID with the right check character that
/// agrees with the birth date and sex, an ethnic group and sometimes a phone number.
struct SyntheticPerson: Sendable {
    var name: String
    var nationalID: String
    var male: Bool
    var birthDate: CalendarDate
    var ethnicity: String
    var phone: String?

    /// Where residents seen in Turpan are registered, with relative weights.
    static let turpanDivisions: [(String, Int)] = [("650402", 62), ("650421", 10), ("650422", 8), ("650102", 3), ("650104", 2),
                                                   ("650105", 2), ("430902", 4), ("430903", 5), ("430921", 2), ("430981", 2)]
    /// Where residents seen in Yiyang are registered.
    static let yiyangDivisions: [(String, Int)] = [("430902", 30), ("430903", 35), ("430921", 8), ("430922", 10), ("430923", 10),
                                                   ("430981", 7)]
    /// Age bands (lowest and highest age) with relative weights.
    static let ages: [(ClosedRange<Int>, Int)] = [(0...14, 12), (15...24, 10), (25...44, 28), (45...64, 30), (65...90, 20)]

    /// The `patient` object of a record.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("national_id", .string(nationalID)),
                                              ("sex", .string(male ? "M" : "F")), ("birth_date", .string(birthDate.description)),
                                              ("ethnicity", .string(ethnicity))]
        if let phone { members.append(("phone", .string(phone))) }
        return .object(JSONObject(members))
    }

    /// A new person registered in one of `divisions`, born so that they are of an age drawn from
    /// `ages` on `asOf` (and so born before it).
    static func make(divisions: [(String, Int)], asOf: CalendarDate, ages: [(ClosedRange<Int>, Int)] = ages,
                     _ r: inout SplitMix64) -> SyntheticPerson {
        let male = r.chance(0.5)
        let ethnicity = r.pick(weighted: SyntheticNames.ethnicities)
        let band = r.pick(weighted: ages)
        let age = r.int(band)
        let birth = CalendarDate(daysSinceEpoch: asOf.daysSinceEpoch - age * 365 - age / 4 - r.int(1, 364))
        let division = r.pick(weighted: divisions)
        // The order number's last digit is odd for men.
        let order = r.below(500) * 2 + (male ? 1 : 0)
        var id = ResidentID.make(divisionCode: division, birthDate: birth, order: order)
        if birth.year < 1965 && r.chance(0.05) {
            // A first-generation ID: no century, no check character.
            let u = Array(id.utf8)
            id = String(decoding: u[0..<6] + u[8..<17], as: UTF8.self)
        } else if id.hasSuffix("X") && r.chance(0.2) {
            id = String(id.dropLast()) + "x"
        }
        return SyntheticPerson(name: SyntheticNames.name(ethnicity: ethnicity, male: male, &r), nationalID: id, male: male,
                               birthDate: birth, ethnicity: ethnicity, phone: r.chance(0.6) ? SyntheticNames.phone(&r) : nil)
    }
}
