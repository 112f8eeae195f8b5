/// A text decoded once into Unicode scalars, for scanners that index it freely.
///
/// Offsets everywhere are scalar offsets (what JSON consumers call code points). The UTF-8
/// bytes and the byte offset of every scalar are kept, so a match becomes a `String` by copying
/// its bytes, without going through `Character` or `String.Index`.
struct ScalarText: Sendable {
    /// The scalars, in order.
    let scalars: [UInt32]
    /// The text's UTF-8 bytes.
    let utf8: [UInt8]
    /// The byte offset of each scalar, plus one entry for the end (`scalars.count + 1` entries).
    let byteOffsets: [Int32]

    /// Decodes `text` (a Swift string is always valid UTF-8, so no checks are needed).
    init(_ text: String) {
        let bytes = Array(text.utf8)
        let count = bytes.count
        var scalarCount = 0
        var offsets = [Int32](unsafeUninitializedCapacity: count + 1) { _, initialized in initialized = 0 }
        let scalars = [UInt32](unsafeUninitializedCapacity: count) { out, initialized in
            offsets = [Int32](unsafeUninitializedCapacity: count + 1) { offs, offsCount in
                bytes.withUnsafeBufferPointer { b in
                    var i = 0
                    var n = 0
                    while i < count {
                        let lead = UInt32(b[i])
                        offs[n] = Int32(truncatingIfNeeded: i)
                        if lead < 0x80 {
                            out[n] = lead
                            i += 1
                        } else if lead < 0xE0, i + 1 < count {
                            out[n] = (lead & 0x1F) << 6 | UInt32(b[i + 1] & 0x3F)
                            i += 2
                        } else if lead < 0xF0, i + 2 < count {
                            out[n] = (lead & 0x0F) << 12 | UInt32(b[i + 1] & 0x3F) << 6 | UInt32(b[i + 2] & 0x3F)
                            i += 3
                        } else if i + 3 < count {
                            out[n] = (lead & 0x07) << 18 | UInt32(b[i + 1] & 0x3F) << 12 | UInt32(b[i + 2] & 0x3F) << 6
                                | UInt32(b[i + 3] & 0x3F)
                            i += 4
                        } else {
                            break  // cannot happen in a valid string
                        }
                        n += 1
                    }
                    offs[n] = Int32(truncatingIfNeeded: i)
                    scalarCount = n
                    offsCount = n + 1
                }
            }
            initialized = scalarCount
        }
        self.scalars = scalars
        self.utf8 = bytes
        self.byteOffsets = offsets
    }

    /// True when scalars `a..<b` and `c..<d` are the same text.
    func same(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Bool {
        guard b - a == d - c else { return false }
        for k in 0..<(b - a) where scalars[a + k] != scalars[c + k] { return false }
        return true
    }

    /// Number of scalars.
    var count: Int { scalars.count }

    /// The text of scalars `start..<end`.
    func string(_ start: Int, _ end: Int) -> String {
        let from = Int(byteOffsets[start])
        let to = Int(byteOffsets[end])
        return utf8.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[from..<to]), as: UTF8.self) }
    }

    /// The text of scalars `start..<end` with ASCII letters in lower case.
    func lowercasedString(_ start: Int, _ end: Int) -> String {
        var bytes = Array(utf8[Int(byteOffsets[start])..<Int(byteOffsets[end])])
        for i in bytes.indices where bytes[i] &- 0x41 < 26 { bytes[i] |= 0x20 }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The text of the first `end` scalars (a prefix of the original string).
    func prefix(_ end: Int) -> String { string(0, end) }
}
