import CTextScan

/// A text decoded once into Unicode scalars, for scanners that index it freely.
///
/// Offsets everywhere are scalar offsets (what JSON consumers call code points). The text's
/// UTF-8 and the byte offset of every scalar are kept, so a match becomes a `String` by copying
/// its bytes out, without going through `Character` or `String.Index` arithmetic.
struct ScalarText: Sendable {
    /// The scalars, in order.
    let scalars: [UInt32]
    /// The text's UTF-8 (valid).
    let utf8: [UInt8]
    /// The byte offset of each scalar, plus one entry for the end (`scalars.count + 1` entries).
    let byteOffsets: [Int32]

    /// Decodes `text` (a Swift string is always valid UTF-8).
    init(_ text: String) {
        utf8 = Array(text.utf8)
        (scalars, byteOffsets) = utf8.withUnsafeBufferPointer { Self.decode($0) }!
    }

    /// Decodes UTF-8 bytes, checking them in the same pass; nil when they are not valid UTF-8
    /// (as `String(validating:)` would judge: no overlong forms, surrogates or scalars past
    /// U+10FFFF, no truncated sequences).
    init?(validating bytes: [UInt8]) {
        guard let decoded = bytes.withUnsafeBufferPointer({ Self.decode($0) }) else { return nil }
        utf8 = bytes
        (scalars, byteOffsets) = decoded
    }

    /// The scalars of UTF-8 bytes and the byte offset of each; nil when the bytes are not valid
    /// UTF-8. The C decoder (``kz_utf8_decode``) takes sixteen ASCII bytes or four CJK scalars
    /// at a time where the CPU allows.
    private static func decode(_ b: UnsafeBufferPointer<UInt8>) -> ([UInt32], [Int32])? {
        let count = b.count
        var scalarCount = -1
        var offsets: [Int32] = []
        let scalars = [UInt32](unsafeUninitializedCapacity: max(count, 1)) { out, initialized in
            offsets = [Int32](unsafeUninitializedCapacity: count + 1) { offs, offsCount in
                scalarCount = kz_utf8_decode(b.baseAddress, count, out.baseAddress, offs.baseAddress)
                offsCount = scalarCount + 1
            }
            initialized = max(scalarCount, 0)
        }
        return scalarCount >= 0 ? (scalars, offsets) : nil
    }

    /// True when spans `a` and `b` hold the same scalars.
    func same(_ a: TextSpan, _ b: TextSpan) -> Bool {
        guard a.end - a.start == b.end - b.start else { return false }
        for k in 0..<(a.end - a.start) where scalars[a.start + k] != scalars[b.start + k] { return false }
        return true
    }

    /// Number of scalars.
    var count: Int { scalars.count }

    /// The bytes of scalars `start..<end`.
    func bytes(_ start: Int, _ end: Int) -> ArraySlice<UInt8> { utf8[Int(byteOffsets[start])..<Int(byteOffsets[end])] }

    /// The text of scalars `start..<end` (whole scalars of valid UTF-8, so nothing is repaired).
    func string(_ start: Int, _ end: Int) -> String {
        bytes(start, end).withUnsafeBufferPointer { String(decoding: $0, as: UTF8.self) }
    }

    /// The text of scalars `start..<end` with ASCII letters in lower case.
    func lowercasedString(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes(start, end).map { $0 &- 0x41 < 26 ? $0 | 0x20 : $0 }, as: UTF8.self)
    }

    /// The text of the first `end` scalars.
    func prefix(_ end: Int) -> String { string(0, end) }
}
