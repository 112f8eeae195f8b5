import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `journal/synced.mark`: how many bytes of the current segment were last fsynced (and so
/// acknowledged), and the final length of every earlier segment still kept.
///
/// The first 16 bytes (segment, length) are written in place after every group commit (one small
/// `pwrite`, no fsync of its own) and synced once a second and at shutdown, so they never claim
/// more than the journal holds on disk and lag it by a second at most. Each further 16 bytes name
/// a sealed segment and its final length: written and synced when a segment is sealed or
/// deleted. Recovery reads them to tell a torn tail (beyond the mark: never acknowledged) from a
/// file cut short, damaged within what was acknowledged, or missing.
struct SyncedMark {
    let url: URL
    private var fd: Int32 = -1
    private var dirty = false
    /// Sealed segments and their final lengths.
    private(set) var sealed: [Int: Int] = [:]

    init(directory: URL) { url = directory.appendingPathComponent("synced.mark") }

    /// What the mark says: the current segment and its synced length, and the sealed segments;
    /// nil when there is no mark (a journal from before marks, or one that never synced).
    mutating func read() throws -> (segment: Int, length: Int, sealed: [Int: Int])? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        guard data.count >= 16, data.count % 16 == 0 else {
            throw BrokerError(.journal, "\(url.path) is \(data.count) bytes, not a multiple of 16: it is damaged; "
                + "`karez journal check` tells what the segments hold")
        }
        let values: [UInt64] = data.withUnsafeBytes { raw in
            stride(from: 0, to: raw.count, by: 8).map { raw.loadUnaligned(fromByteOffset: $0, as: UInt64.self).littleEndian }
        }
        // Segment numbers have 8 digits and a segment is far below 2^40 bytes.
        guard values.allSatisfy({ $0 < 1 << 40 }) else {
            throw BrokerError(.journal, "\(url.path) holds a number no journal can have: it is damaged; `karez journal check` tells what the segments hold")
        }
        let pairs = stride(from: 0, to: values.count, by: 2).map { (Int(values[$0]), Int(values[$0 + 1])) }
        sealed = Dictionary(pairs.dropFirst().map { ($0.0, $0.1) }, uniquingKeysWith: { $1 })
        return (pairs[0].0, pairs[0].1, sealed)
    }

    private mutating func open() -> Bool {
        if fd < 0 { fd = Glibc.open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644) }
        return fd >= 0
    }

    private static func bytes(_ pairs: [(Int, Int)]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(pairs.count * 16)
        for (a, b) in pairs {
            withUnsafeBytes(of: UInt64(a).littleEndian) { out += $0 }
            withUnsafeBytes(of: UInt64(b).littleEndian) { out += $0 }
        }
        return out
    }

    /// Records a synced length of the current segment (in the page cache until ``sync()``).
    mutating func record(segment: Int, length: Int) {
        guard open() else { return }
        let b = Self.bytes([(segment, length)])
        _ = b.withUnsafeBytes { pwrite(fd, $0.baseAddress, 16, 0) }
        dirty = true
    }

    /// Seals `segment` at `length`; `current` is the current segment and its synced length
    /// (synced at once).
    mutating func seal(_ segment: Int, length: Int, current: (segment: Int, length: Int)) {
        sealed[segment] = length
        rewrite(current: current)
    }

    /// Forgets deleted segments (synced at once).
    mutating func forget(_ segments: [Int], current: (segment: Int, length: Int)) {
        for s in segments { sealed[s] = nil }
        rewrite(current: current)
    }

    private mutating func rewrite(current: (Int, Int)) {
        guard open() else { return }
        let b = Self.bytes([current] + sealed.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        _ = b.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(fd, off_t(b.count))
        fdatasync(fd)
        dirty = false
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
