import Foundation

/// One pass over the bytes of a journal segment: its intact records, and the damaged ranges
/// between them.
///
/// A record is `u32 length, u32 CRC-32C, payload` whose payload starts with a known type byte.
/// Where a record does not check out, the scan resynchronises: it looks for the next offset at
/// which a whole record checks out, so one flipped byte costs one record, not the rest of the
/// segment. What it finds after the first damage tells a torn tail (nothing intact follows: a
/// write that never completed) from corruption (intact records follow).
struct JournalScan {
    /// Offsets and lengths of intact records, in file order (`offset` is the record's header).
    private(set) var records: [(offset: Int, length: Int)] = []
    /// Byte ranges that hold no intact record.
    private(set) var damaged: [Range<Int>] = []
    /// The end of the last intact record before the first damage (the whole file if none).
    private(set) var cleanEnd = 0

    /// Smallest record: header (8 bytes) and a type byte.
    static let headerBytes = 8

    /// - Parameter key: the journal's checksum key (``JournalKey``).
    init(_ raw: UnsafeRawBufferPointer, key: UInt32) {
        var offset = 0
        var damageStart: Int?
        while offset < raw.count {
            if let length = Self.recordLength(raw, at: offset, key: key) {
                if let start = damageStart {
                    damaged.append(start..<offset)
                    damageStart = nil
                }
                records.append((offset, length))
                offset += Self.headerBytes + length
            } else {
                if damageStart == nil { damageStart = offset }
                offset += 1
            }
        }
        if let start = damageStart { damaged.append(start..<raw.count) }
        cleanEnd = damaged.first?.lowerBound ?? raw.count
    }

    /// Records that lie after the first damage.
    var recordsAfterDamage: Int {
        guard let first = damaged.first else { return 0 }
        return records.filter { $0.offset > first.lowerBound }.count
    }

    /// The payload length of the record at `offset` when a whole, checked record starts there.
    static func recordLength(_ raw: UnsafeRawBufferPointer, at offset: Int, key: UInt32) -> Int? {
        guard offset + headerBytes + 1 <= raw.count else { return nil }
        let length = Int(raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self).littleEndian)
        guard length >= 1, offset + headerBytes + length <= raw.count,
              Journal.RecordType(rawValue: raw[offset + headerBytes]) != nil else { return nil }
        let crc = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self).littleEndian
        let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + headerBytes)..<(offset + headerBytes + length)])
        return CRC32C.checksum(payload, key: key) == crc ? length : nil
    }
}
