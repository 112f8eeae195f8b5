import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `journal/synced.mark`: how many bytes of which segment were last fsynced (and so
/// acknowledged). Written in place after every group commit (one small `pwrite`, no fsync of its
/// own) and synced once a second and at shutdown, so it never claims more than the journal
/// holds on disk and lags it by a second at most. Recovery reads it to tell a torn tail (beyond
/// the mark: never acknowledged) from a file cut short or damaged within what was acknowledged.
struct SyncedMark {
    let url: URL
    private var fd: Int32 = -1
    private var dirty = false

    init(directory: URL) { url = directory.appendingPathComponent("synced.mark") }

    /// The last mark written, or nil when there is none (a journal from before marks).
    func read() throws -> (segment: Int, length: Int)? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard data.count == 16 else {
            throw BrokerError("\(url.path) is \(data.count) bytes, not 16: it is damaged; remove it to start without the check of synced lengths")
        }
        return data.withUnsafeBytes { raw in
            (Int(raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self).littleEndian),
             Int(raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self).littleEndian))
        }
    }

    /// Records a synced length (in the page cache until ``sync()``).
    mutating func record(segment: Int, length: Int) {
        if fd < 0 { fd = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) }
        guard fd >= 0 else { return }
        var bytes = [UInt8](repeating: 0, count: 16)
        bytes.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: UInt64(segment).littleEndian, toByteOffset: 0, as: UInt64.self)
            raw.storeBytes(of: UInt64(length).littleEndian, toByteOffset: 8, as: UInt64.self)
        }
        _ = bytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, 16, 0) }
        dirty = true
    }

    /// Syncs and closes the file.
    mutating func close() {
        sync()
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }

    /// Makes the last recorded mark durable.
    mutating func sync() {
        guard dirty, fd >= 0 else { return }
        fdatasync(fd)
        dirty = false
    }
}
