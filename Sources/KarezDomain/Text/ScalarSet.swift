/// A set of Unicode scalars with a constant-time, hash-free membership test: a bitmap over the
/// Basic Multilingual Plane (8 KiB) and a sorted list for the rare scalars beyond it.
///
/// Immutable once built; the bitmap is allocated once and freed with the set.
final class ScalarSet: @unchecked Sendable {
    // @unchecked: the storage is written only in `init` and read-only afterwards.
    private let bits: UnsafeMutablePointer<UInt64>
    private let astral: [UInt32]

    /// The set of the scalars of `characters`.
    convenience init(_ characters: String) {
        self.init(characters.unicodeScalars.map(\.value))
    }

    /// The set of `scalars`.
    init(_ scalars: [UInt32]) {
        bits = .allocate(capacity: 1024)
        bits.initialize(repeating: 0, count: 1024)
        var astral: [UInt32] = []
        for u in scalars {
            if u < 0x10000 { bits[Int(u >> 6)] |= 1 << UInt64(u & 63) } else { astral.append(u) }
        }
        self.astral = astral.sorted()
    }

    deinit { bits.deallocate() }

    /// True when `u` is in the set.
    @inline(__always) func contains(_ u: UInt32) -> Bool {
        if u < 0x10000 { return bits[Int(u >> 6)] >> UInt64(u & 63) & 1 != 0 }
        return astral.contains(u)
    }
}
