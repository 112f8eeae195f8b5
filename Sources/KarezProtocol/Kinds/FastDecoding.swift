/// What the fast decoders of the kinds (``Patient/decodeValid(bytes:)``, ``Lead/decodeValid(bytes:)``,
/// ``News/read(bytes:)``) share: reading a value and checking it against its schema in one step,
/// and noting which members were read.
extension JSONReader {
    /// A string value of `min` to `max` scalars (as the schemas count them), or nil.
    @inline(__always) mutating func string(min: Int = 1, max: Int) -> String? {
        guard let s = string(), SchemaChecker.fits(s, min: min, max: max) else { return nil }
        return s
    }

    /// An item id: 1 to 128 scalars matching the id pattern, or nil.
    @inline(__always) mutating func itemID() -> String? {
        guard let s = string(max: 128), Patterns.isItemID(s) else { return nil }
        return s
    }

    /// An array of at most `maxCount` strings, each accepted by `accept`, or nil.
    mutating func strings(maxCount: Int, where accept: (String) -> Bool) -> [String]? {
        guard beginArray() else { return nil }
        var strings: [String] = []
        var first = true
        while let more = nextElement(first: &first) {
            guard more else { return strings }
            guard strings.count < maxCount, let s = string(), accept(s) else { return nil }
            strings.append(s)
        }
        return nil
    }
}

/// Which members of an object a fast decoder has read, by their position in its schema.
struct MemberSet {
    private var bits: UInt32 = 0
    /// Records member `i`; false when it was read before (a repeated member).
    @inline(__always) mutating func insert(_ i: Int) -> Bool {
        let bit: UInt32 = 1 << UInt32(i)
        defer { bits |= bit }
        return bits & bit == 0
    }
}
