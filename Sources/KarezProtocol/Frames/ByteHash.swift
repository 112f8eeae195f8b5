/// A fast 64-bit hash of a short byte string such as an item id: eight bytes per step, finished
/// with a mixer whose every output bit depends on every input bit. Not keyed, so tables that use
/// it must tolerate (or not face) adversarial ids; it exists so that hot tables keyed by ids
/// (the broker's dedup window, a publisher's items in flight) hash each id once, from its bytes.
public enum ByteHash {
    /// The hash of `bytes`.
    @inline(__always) public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
        var i = 0
        while i &+ 8 <= bytes.count {
            h = (h ^ bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            h ^= h >> 31
            i &+= 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < bytes.count {
            tail |= UInt64(bytes[i]) << shift
            shift &+= 8
            i &+= 1
        }
        return mix(h ^ tail)
    }

    /// The hash of a string's UTF-8 bytes.
    @inline(__always) public static func hash(_ text: String) -> UInt64 {
        var text = text
        return text.withUTF8 { hash(UnsafeRawBufferPointer($0)) }
    }

    /// A bijective finaliser (SplitMix64's): spreads `x` over all 64 bits.
    @inline(__always) public static func mix(_ x: UInt64) -> UInt64 {
        var h = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        h = (h ^ (h >> 27)) &* 0x94D0_49BB_1331_11EB
        return h ^ (h >> 31)
    }
}
