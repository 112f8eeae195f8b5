import Foundation
import KarezProtocol

/// `karez journal check|repair`: finds damaged journal segments and salvages them.
///
/// Repair keeps every intact record of a damaged segment (the scan resynchronises on the next
/// record that checks out), moves the damaged bytes to `journal/quarantine/`, rewrites the
/// segment from the intact records (written to a new file, synced, renamed over the old one),
/// and lists what it could not recover: the ids of item records it can still make out in the
/// damaged bytes. Records of items finished (`DONE`, `DEAD`) that are lost only make those items
/// run again, which the store's idempotent writes absorb.
public enum JournalRepair {
    /// What was found in one segment.
    public struct Finding: Sendable {
        public var segment: String
        /// Why the broker refuses it, or nil when it is sound (or only torn at its end).
        public var problem: String?
        public var intactRecords: Int
        public var damagedBytes: Int
        /// Ids of item records seen in the damaged bytes (not recoverable).
        public var lostIDs: [String]
        /// Where the damaged bytes were moved (repair only).
        public var quarantine: String?
        /// Synced (acknowledged) bytes missing from the end of a file cut short: the items in
        /// them are gone and cannot be named.
        public var missingBytes = 0
        /// What repair did besides salvaging a segment (a lost mark rebuilt, a missing segment forgotten).
        public var repaired: String?
    }

    /// Checks (and with `repair`, salvages) every segment of the journal in `data/journal`.
    public static func run(data: URL, repair: Bool) throws -> [Finding] {
        let folder = data.appendingPathComponent("journal")
        let journal = try Journal(directory: folder)
        var mark = SyncedMark(directory: folder)
        let synced = try mark.read()
        let all = journal.segments()
        let keyed = FileManager.default.fileExists(atPath: JournalKey.url(folder).path)
        if !keyed, synced != nil, journal.hasRecords(all), let problem = Journal.identityProblem(hasRecords: true, keyed: false, marked: true) {
            // Without the key every record would look damaged: there is nothing to repair.
            throw BrokerError(.journal, "journal \(folder.path): \(problem); no repair was attempted")
        }
        let key = try JournalKey.load(folder, hasSegments: !all.isEmpty)
        var findings: [Finding] = []
        if let problem = Journal.missingSegments(synced?.sealed ?? [:], present: Set(all), retiredThrough: 0) {
            // Nothing to salvage in a file that is gone: say so, and (repairing) forget it.
            findings.append(Finding(segment: folder.path, problem: problem, intactRecords: 0, damagedBytes: 0, lostIDs: [], quarantine: nil))
            if repair, let s = synced {
                mark.forget(s.sealed.keys.filter { !all.contains($0) }, current: (s.segment, s.length))
                findings[0].repaired = "forgotten: the broker starts without it"
            }
        }
        for n in all {
            let path = journal.path(n)
            guard let data = FileManager.default.contents(atPath: path) else { throw BrokerError(.io, "cannot read \(path)") }
            let syncedHere = synced?.segment == n ? synced!.length : synced?.sealed[n] ?? 0
            var finding = data.withUnsafeBytes { raw -> Finding in
                let scan = JournalScan(raw, key: key)
                let problem = Journal.corruption(scan, raw, fileLength: data.count, synced: syncedHere, isLast: n == all.last)
                return Finding(segment: path, problem: problem, intactRecords: scan.records.count,
                               damagedBytes: scan.damaged.map(\.count).reduce(0, +), lostIDs: lostIDs(raw, scan.damaged), quarantine: nil,
                               missingBytes: max(0, syncedHere - data.count))
            }
            if repair, finding.damagedBytes > 0 || finding.problem != nil {
                finding.quarantine = try salvage(data, segment: n, path: path, folder: folder, key: key)
                let length = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
                if synced?.segment == n { mark.record(segment: n, length: length) }
                if synced?.sealed[n] != nil, let s = synced { mark.seal(n, length: length, current: (s.segment, s.length)) }
            }
            findings.append(finding)
        }
        if repair, synced == nil, keyed, let last = all.last {
            // The mark was lost: rebuild it from what the segments hold now, so the broker starts.
            func size(_ n: Int) -> Int { (try? FileManager.default.attributesOfItem(atPath: journal.path(n))[.size] as? Int) ?? 0 }
            for n in all.dropLast() { mark.seal(n, length: size(n), current: (last, size(last))) }
            mark.forget([], current: (last, size(last)))
            findings.append(Finding(segment: mark.url.path, problem: "was missing", intactRecords: 0, damagedBytes: 0, lostIDs: [], quarantine: nil,
                                    repaired: "rebuilt from the segments as they are (a part cut from them before cannot be known)"))
        }
        mark.close()
        return findings
    }

    /// Rewrites a segment from its intact records; returns the quarantine file of the rest.
    private static func salvage(_ data: Data, segment n: Int, path: String, folder: URL, key: UInt32) throws -> String {
        let quarantine = folder.appendingPathComponent("quarantine")
        try FileManager.default.createDirectory(at: quarantine, withIntermediateDirectories: true)
        let stamp = Int(Date().timeIntervalSince1970)
        let target = quarantine.appendingPathComponent(String(format: "seg-%08d-%d.damaged", n, stamp))
        var kept = Data(), damagedBytes = Data()
        data.withUnsafeBytes { raw in
            let scan = JournalScan(raw, key: key)
            for r in scan.records { kept.append(contentsOf: raw[r.offset..<(r.offset + 8 + r.length)]) }
            for range in scan.damaged {
                // Each damaged range: its offset (u64) and length (u64), then the bytes.
                withUnsafeBytes(of: UInt64(range.lowerBound).littleEndian) { damagedBytes.append(contentsOf: $0) }
                withUnsafeBytes(of: UInt64(range.count).littleEndian) { damagedBytes.append(contentsOf: $0) }
                damagedBytes.append(contentsOf: raw[range])
            }
        }
        try write(damagedBytes, to: target.path)
        let temporary = path + ".repair"
        try write(kept, to: temporary)
        guard rename(temporary, path) == 0 else { throw BrokerError(.io, "cannot replace \(path): \(String(cString: strerror(errno)))") }
        let dir = open(folder.path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { fsync(dir); close(dir) }
        return target.path
    }

    /// Writes and syncs a file.
    private static func write(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BrokerError(.io, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        try data.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                guard n > 0 else { throw BrokerError(.io, "writing \(path) failed: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
        guard fsync(fd) == 0 else { throw BrokerError(.io, "fsync of \(path) failed: \(String(cString: strerror(errno)))") }
    }

    /// Ids of item (`ENQ`, `ENQX`) records whose header can still be made out in damaged bytes: a
    /// type byte 1 (or 4, then the options) followed by sequence, time, id length and an id of the
    /// id pattern.
    static func lostIDs(_ raw: UnsafeRawBufferPointer, _ damaged: [Range<Int>]) -> [String] {
        var ids: [String] = []
        for range in damaged {
            var at = range.lowerBound
            while at + 8 + 1 + 18 <= min(raw.count, range.upperBound + 8) {
                defer { at += 1 }
                let type = raw[at + 8]
                guard type == Journal.RecordType.enqueue.rawValue || type == Journal.RecordType.enqueueWithOptions.rawValue else { continue }
                var idStart = at + 8 + 1 + 16
                if type == Journal.RecordType.enqueueWithOptions.rawValue {
                    guard idStart + 18 <= raw.count else { continue }
                    idStart += 17 + 1 + Int(raw[idStart + 17])
                    guard idStart + 2 <= raw.count else { continue }
                }
                let length = Int(raw.loadUnaligned(fromByteOffset: idStart, as: UInt16.self).littleEndian)
                guard (1...128).contains(length), idStart + 2 + length <= raw.count else { continue }
                let id = String(decoding: raw[(idStart + 2)..<(idStart + 2 + length)], as: UTF8.self)
                if Patterns.isItemID(id), !ids.contains(id) { ids.append(id) }
            }
        }
        return ids
    }
}
