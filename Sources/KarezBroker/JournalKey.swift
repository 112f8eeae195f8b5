import Foundation

/// `journal/key`: the 32-bit key the journal's record checksums are keyed with (a random number
/// drawn when the journal is created, written once and synced).
///
/// A record's CRC-32C starts from a state mixed with the key, so bytes written by anyone else,
/// such as an item body built to look like a `DONE` record, do not check out as a record (odds
/// 1 in 2³²) when a scan resynchronises through damaged bytes (``JournalScan``). A journal that
/// has segments but no key (written before keys) keeps the plain checksum (key 0).
enum JournalKey {
    static func url(_ directory: URL) -> URL { directory.appendingPathComponent("key") }

    /// The journal's key, made (and synced) when the journal has no segment yet; 0 for a journal
    /// with segments and no key file.
    static func load(_ directory: URL, hasSegments: Bool) throws -> UInt32 {
        let url = url(directory)
        if let data = FileManager.default.contents(atPath: url.path) {
            guard data.count == 4 else {
                throw BrokerError(.journal, "\(url.path) is \(data.count) bytes, not 4: the journal's checksums cannot be verified without it; restore it from a backup")
            }
            return data.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }
        }
        // Segments without a key file: a journal from before keys, checksummed plainly.
        if hasSegments { return 0 }
        let key = UInt32.random(in: 1 ... .max)
        var bytes = Data(count: 4)
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: key.littleEndian, as: UInt32.self) }
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BrokerError(.io, "cannot create \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, 4) }) == 4, fsync(fd) == 0 else {
            throw BrokerError(.io, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
        let dir = open(directory.path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
        return key
    }
}
