/// China's divisions by code (GB/T 2260): every province-level and prefecture-level division and
/// the county-level ones the reference data uses. See ``GazetteerData`` for what is covered.
///
/// Lookups take the code as text and never allocate: codes are read as integers and looked up in
/// tables built once.
public enum Gazetteer {
    /// The province-level division of a 2-digit code (`"65"`) or of any longer division code's first
    /// two digits (`"650402"`); nil when the code does not start with two digits or is unknown.
    public static func province(code: String) -> Place? {
        guard let n = leadingNumber(code, digits: 2) else { return nil }
        return tables.province(n)
    }

    /// The prefecture-level division of a 4-digit code (`"6504"`) or of a longer code's first four
    /// digits (`"650402"`); nil when unknown.
    public static func prefecture(code: String) -> Place? {
        guard let n = leadingNumber(code, digits: 4) else { return nil }
        return tables.prefecture(n)
    }

    /// The place with exactly this code: 2 digits (province), 4 (prefecture) or 6 (county). A
    /// 6-digit code ending in `0000` or `00` names its province or prefecture (`"650100"` is 乌鲁木齐市).
    public static func place(code: String) -> Place? {
        let u = code.utf8
        guard let n = number(u) else { return nil }
        switch u.count {
        case 2: return tables.province(n)
        case 4: return tables.prefecture(n)
        case 6:
            if n % 10_000 == 0 { return tables.province(n / 10_000) }
            if n % 100 == 0 { return tables.prefecture(n / 100) }
            return tables.counties[n].map { tables.places[$0] }
        default: return nil
        }
    }

    /// The province and, where known, the prefecture of a 6-digit division code (as at the start of
    /// a resident ID or in characters 3–8 of a credit code); nil when the province is unknown.
    public static func region(divisionCode: String) -> (province: Place, prefecture: Place?)? {
        let u = divisionCode.utf8
        guard u.count == 6, let n = number(u), let province = tables.province(n / 10_000) else { return nil }
        return (province, tables.prefecture(n / 100))
    }

    /// Every known place: provinces, then each province's prefectures and counties in code order.
    /// For matching names (``Place/name``, ``Place/shortName``) in text.
    public static var allPlaces: [Place] { tables.places }

    /// The province a place lies in (a province is its own).
    public static func province(of place: Place) -> Place {
        guard let n = leadingNumber(place.code, digits: 2), let province = tables.province(n) else {
            preconditionFailure("a Place always comes from the gazetteer, whose codes start with a known province")
        }
        return province
    }

    // MARK: - Tables

    private static let tables = Tables(GazetteerData.text)

    /// The first `digits` characters of `code` as a number, when they are all ASCII digits.
    static func leadingNumber(_ code: String, digits: Int) -> Int? {
        var n = 0
        var count = 0
        for b in code.utf8 {
            guard count < digits else { break }
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
            count += 1
        }
        return count == digits ? n : nil
    }

    /// The whole of `u` as a number when it is 1 to 9 ASCII digits.
    static func number(_ u: String.UTF8View) -> Int? {
        guard !u.isEmpty, u.count <= 9 else { return nil }
        var n = 0
        for b in u {
            guard b >= 0x30, b <= 0x39 else { return nil }
            n = n * 10 + Int(b - 0x30)
        }
        return n
    }
}

/// The parsed gazetteer: places in data order, with index tables by numeric code.
private struct Tables: Sendable {
    var places: [Place] = []
    /// Index into `places` by 2-digit code, -1 when unknown.
    var provinces = [Int16](repeating: -1, count: 100)
    /// Index into `places` by 4-digit code, -1 when unknown.
    var prefectures = [Int16](repeating: -1, count: 10_000)
    /// Index into `places` by 6-digit code.
    var counties: [Int: Int] = [:]

    init(_ text: String) {
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let n = Int(fields[0]) else { preconditionFailure("bad gazetteer line: \(line)") }
            let code = String(fields[0])
            let name = String(fields[1])
            let level: Place.Level
            switch code.utf8.count {
            case 2: level = .province
            case 4: level = .prefecture
            case 6: level = .county
            default: preconditionFailure("bad gazetteer code: \(code)")
            }
            let short = fields.count > 2 ? String(fields[2]) : Self.shortName(name, level: level)
            let index = places.count
            places.append(Place(code: code, name: name, shortName: short, level: level))
            switch level {
            case .province: provinces[n] = Int16(index)
            case .prefecture: prefectures[n] = Int16(index)
            case .county: counties[n] = index
            }
        }
    }

    func province(_ n: Int) -> Place? {
        guard n >= 0, n < provinces.count, provinces[n] >= 0 else { return nil }
        return places[Int(provinces[n])]
    }

    func prefecture(_ n: Int) -> Place? {
        guard n >= 0, n < prefectures.count, prefectures[n] >= 0 else { return nil }
        return places[Int(prefectures[n])]
    }

    /// The usual short form of a name whose data line gives none (see ``GazetteerData``).
    static func shortName(_ name: String, level: Place.Level) -> String {
        let suffixes: [String] = switch level {
        case .province: []
        case .prefecture: ["地区", "市", "盟"]
        case .county: ["县", "市"]
        }
        for suffix in suffixes where name.hasSuffix(suffix) {
            let stem = String(name.dropLast(suffix.count))
            if stem.count >= 2 { return stem }
        }
        return name
    }
}
