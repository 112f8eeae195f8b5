import KarezProtocol

/// The `region` object that patient and lead enrichments share:
/// `{"code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"}`, the prefecture only
/// where the gazetteer knows it. Built from templates made once.
enum RegionJSON {
    static let withPrefecture = JSONObject([("code", .null), ("province", .null), ("prefecture", .null)])
    static let withoutPrefecture = JSONObject([("code", .null), ("province", .null)])

    /// The region object of a 6-digit division code and its places.
    static func json(division: String, region: (province: Place, prefecture: Place?)) -> JSONValue {
        var r = region.prefecture == nil ? withoutPrefecture : withPrefecture
        r["code"] = .string(division)
        r["province"] = .string(region.province.name)
        if let prefecture = region.prefecture { r["prefecture"] = .string(prefecture.name) }
        return .object(r)
    }
}
