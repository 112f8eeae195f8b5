/// A text decoded once into Unicode scalars, for scanners that index it freely.
///
/// Offsets everywhere are scalar offsets (what JSON consumers call code points). The text and
/// the byte offset of every scalar are kept, so a match becomes a `String` by copying its bytes
/// out of the text (already valid UTF-8, so not checked again), without going through
/// `Character` or `String.Index` arithmetic.
struct ScalarText: Sendable {
    /// The scalars, in order.
    let scalars: [UInt32]
    /// The text.
    let source: String
    /// The byte offset of each scalar, plus one entry for the end (`scalars.count + 1` entries).
    let byteOffsets: [Int32]

    /// Decodes `text` (a Swift string is always valid UTF-8, so no checks are needed).
    init(_ text: String) {
        var text = text
        (scalars, byteOffsets) = text.withUTF8 { Self.decode($0) }
        source = text
    }

    /// The scalars of valid UTF-8 bytes, and the byte offset of each.
    private static func decode(_ b: UnsafeBufferPointer<UInt8>) -> ([UInt32], [Int32]) {
        let count = b.count
        var scalarCount = 0
        var offsets: [Int32] = []
        let scalars = [UInt32](unsafeUninitializedCapacity: count) { out, initialized in
            offsets = [Int32](unsafeUninitializedCapacity: count + 1) { offs, offsCount in
                var i = 0
                var n = 0
                while i < count {
                    let lead = UInt32(b[i])
                    offs[n] = Int32(truncatingIfNeeded: i)
                    if lead < 0x80 {
                        out[n] = lead
                        i &+= 1
                    } else if lead < 0xE0 {
                        out[n] = (lead & 0x1F) << 6 | UInt32(b[i &+ 1] & 0x3F)
                        i &+= 2
                    } else if lead < 0xF0 {
                        out[n] = (lead & 0x0F) << 12 | UInt32(b[i &+ 1] & 0x3F) << 6 | UInt32(b[i &+ 2] & 0x3F)
                        i &+= 3
                    } else {
                        out[n] = (lead & 0x07) << 18 | UInt32(b[i &+ 1] & 0x3F) << 12 | UInt32(b[i &+ 2] & 0x3F) << 6
                            | UInt32(b[i &+ 3] & 0x3F)
                        i &+= 4
                    }
                    n &+= 1
                }
                offs[n] = Int32(truncatingIfNeeded: i)
                scalarCount = n
                offsCount = n + 1
            }
            initialized = scalarCount
        }
        return (scalars, offsets)
    }

    /// True when scalars `a..<b` and `c..<d` are the same text.
    func same(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
        guard b - a == d - c else { return false }
        for k in 0..<(b - a) where scalars[a + k] != scalars[c + k] { return false }
        return true
    }

    /// Number of scalars.
    var count: Int { scalars.count }

    /// The UTF-8 view of scalars `start..<end`.
    private func utf8(_ start: Int, _ end: Int) -> Substring.UTF8View {
        let u = source.utf8
        return u[u.index(u.startIndex, offsetBy: Int(byteOffsets[start]))..<u.index(u.startIndex, offsetBy: Int(byteOffsets[end]))]
    }

    /// The text of scalars `start..<end`. A long one is copied out of the text without checking
    /// its UTF-8 again; a short one is decoded from the bytes, which costs less than slicing.
    func string(_ start: Int, _ end: Int) -> String {
        let from = Int(byteOffsets[start])
        let to = Int(byteOffsets[end])
        if to - from <= 64, let short = source.utf8.withContiguousStorageIfAvailable({
            String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self)
        }) {
            return short
        }
        // Both ends are scalar boundaries, so the conversion cannot fail.
        return String(utf8(start, end))!
    }

    /// The text of scalars `start..<end` with ASCII letters in lower case.
    func lowercasedString(_ start: Int, _ end: Int) -> String {
        String(decoding: utf8(start, end).map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The text of the first `end` scalars (a prefix of the original string).
    func prefix(_ end: Int) -> String { string(0, end) }
}
