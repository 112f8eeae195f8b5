import CCRC32C

/// CRC-32C (Castagnoli), the checksum of every journal record (hardware crc32 where the CPU
/// has it; see `CCRC32C`).
enum CRC32C {
    /// The checksum of `bytes`.
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        kz_crc32c(bytes.baseAddress, bytes.count)
    }

    /// The checksum keyed with `key` (0: the plain checksum).
    static func checksum(_ bytes: UnsafeRawBufferPointer, key: UInt32) -> UInt32 {
        kz_crc32c_keyed(key, bytes.baseAddress, bytes.count)
    }
}
