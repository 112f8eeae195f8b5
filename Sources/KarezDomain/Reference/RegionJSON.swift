import KarezProtocol

/// The `region` object that patient and lead enrichments share:
/// `{"code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"}`, the prefecture only
/// where the gazetteer knows it.
enum RegionJSON {
    /// Writes the region object of a 6-digit division code and its places.
    static func write(division: String, region: (province: Place, prefecture: Place?), into out: inout JSONByteSink) {
        out.writeMember("{\"code\":", division)
        out.writeMember(",\"province\":", region.province.name)
        if let prefecture = region.prefecture {
            out.writeMember(",\"prefecture\":", prefecture.name)
        }
        out.append(UInt8(ascii: "}"))
    }
}
