import CTextScan

/// Block-at-a-time scanning of UTF-8 for the JSON reader and writer, for the long runs of text
/// that need no escaping: sixteen bytes per step (SSE2, `kz_json_skip_plain16`), then eight.
enum JSONBytes {
    private static let ones: UInt64 = 0x0101_0101_0101_0101

    /// The offset of the first byte at or after `start` that a JSON string cannot hold as it is (a
    /// quote, a backslash or a control character below 0x20), or `bytes.count` when there is none.
    @inline(__always) static func plainEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        let n = bytes.count
        guard let base = bytes.baseAddress else { return n }
        // Sixteen bytes at a time in C while that many are left; eight at a time below.
        var i = kz_json_skip_plain16(base.assumingMemoryBound(to: UInt8.self), n, start)
        while i &+ 8 <= n {
            let hits = specials(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            if hits != 0 { return i &+ hits.trailingZeroBitCount &>> 3 }
            i &+= 8
        }
        guard i < n else { return n }
        if i > start {
            // The last eight bytes, less those checked already: all from `start` on and clean,
            // so no borrow can spoil the rest.
            let checked = 8 &- (n &- i)
            let hits = specials(UInt64(littleEndian: base.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self))) &>> (checked &* 8)
            return hits != 0 ? i &+ hits.trailingZeroBitCount &>> 3 : n
        }
        while i < n, !isSpecial(bytes[i]) { i &+= 1 }
        return i
    }

    /// What follows the backslash in the writer's short escape of `b` (`\"`, `\\`, `\n`, `\r`,
    /// `\t`), or nil when the writer escapes it as `\u00xx` (other control characters) or not at all.
    @inline(__always) static func shortEscape(_ b: UInt8) -> UInt8? {
        switch b {
        case 0x22, 0x5C: b
        case 0x0A: UInt8(ascii: "n")
        case 0x0D: UInt8(ascii: "r")
        case 0x09: UInt8(ascii: "t")
        default: nil
        }
    }

    /// True for a quote, a backslash or a control character.
    @inline(__always) static func isSpecial(_ b: UInt8) -> Bool { b < 0x20 || b == 0x22 || b == 0x5C }

    /// The high bit of every byte of `w` for which ``isSpecial(_:)`` holds. Bits above the lowest
    /// may be spurious (a borrow carries into the next byte), the lowest is always right.
    @inline(__always) private static func specials(_ w: UInt64) -> UInt64 {
        let quote = w ^ (ones &* 0x22)
        let backslash = w ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (w &- ones &* 0x20) & ~w
        return (zeroQuote | zeroBackslash | control) & (ones &* 0x80)
    }

    /// The text of `bytes` when they are well-formed UTF-8, else nil.
    ///
    /// `String(validating:as:)` looks up generic metadata on every call (hundreds of
    /// instructions) and `String(decoding:as:)` checks the bytes again, so short strings are
    /// checked here and decoded, long ones left to `String(validating:as:)` alone.
    static func string(validating bytes: UnsafeRawBufferPointer) -> String? {
        if bytes.count > 256 { return String(validating: bytes, as: UTF8.self) }
        guard isValidUTF8(bytes) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF).
    static func isValidUTF8(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = b.count
        while i < n {
            let c = b[i]
            if c < 0x80 {
                i &+= 1
                // Skip ASCII 32 bytes at a time, then eight.
                while i &+ 32 <= n {
                    let any = b.loadUnaligned(fromByteOffset: i, as: UInt64.self) | b.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)
                        | b.loadUnaligned(fromByteOffset: i &+ 16, as: UInt64.self) | b.loadUnaligned(fromByteOffset: i &+ 24, as: UInt64.self)
                    if any & (ones &* 0x80) != 0 { break }
                    i &+= 32
                }
                while i &+ 8 <= n, b.loadUnaligned(fromByteOffset: i, as: UInt64.self) & (ones &* 0x80) == 0 { i &+= 8 }
                continue
            }
            if c < 0xC2 { return false }
            if c < 0xE0 {
                guard i + 1 < n, b[i + 1] & 0xC0 == 0x80 else { return false }
                i += 2
                continue
            }
            if c < 0xF0 {
                guard i + 2 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80 else { return false }
                if c == 0xE0 && b[i + 1] < 0xA0 { return false }
                if c == 0xED && b[i + 1] >= 0xA0 { return false }
                i += 3
                // Chinese text is runs of three-byte characters: while the next one leads with
                // E1…EF (not E0 or ED, whose second byte has a narrower range) and two
                // continuation bytes follow, one load and three compares check it.
                while i &+ 4 <= n {
                    let w = UInt32(littleEndian: b.loadUnaligned(fromByteOffset: i, as: UInt32.self))
                    guard w & 0x00C0_C0F0 == 0x0080_80E0, w & 0xFF != 0xE0, w & 0xFF != 0xED else { break }
                    i &+= 3
                }
                continue
            }
            guard c < 0xF5, i + 3 < n, b[i + 1] & 0xC0 == 0x80, b[i + 2] & 0xC0 == 0x80, b[i + 3] & 0xC0 == 0x80 else { return false }
            if c == 0xF0 && b[i + 1] < 0x90 { return false }
            if c == 0xF4 && b[i + 1] >= 0x90 { return false }
            i += 4
        }
        return true
    }
}
