import KarezProtocol

/// Grows generated items to a chosen size, so benchmarks can use the item size a goal names
/// (600-byte items, for instance) whatever the kind's natural size.
enum ItemPadding {
    /// `object` with a `notes` member of filler text making its JSON about `bytes` long (exact
    /// for ids of `idBytes` bytes); unchanged when it is already that long. `notes` is an
    /// optional free-text field of patient records, so padded patients stay valid.
    static func padded(_ object: JSONObject, toBytes bytes: Int?, idBytes: Int) -> JSONObject {
        guard let bytes else { return object }
        var o = object
        o["notes"] = nil
        var size = JSONWriter.bytes(.object(o)).count
        if o["id"] == nil { size += #","id":"""#.utf8.count + idBytes }
        let filler = bytes - size - #","notes":"""#.utf8.count
        guard filler > 0 else { return object }
        o["notes"] = .string(String(repeating: "x", count: filler))
        return o
    }
}
