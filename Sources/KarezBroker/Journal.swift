import Foundation
import KarezMetrics
import KarezProtocol
#if canImport(Glibc)
import Glibc
#endif

/// How hard the broker works to keep an item before acknowledging it (`--fsync`).
public enum FsyncPolicy: String, Sendable, CaseIterable {
    /// fsync after every PUB message before its ACK.
    case always
    /// Group commit: one fsync covers every item that arrived meanwhile, then ACK them all.
    case batch
    /// Write to the file (OS page cache) and ACK; survives a process crash, not a power cut.
    case never
}

/// A finished item as the journal records it: its sequence number, the segment of its `ENQ`
/// record, and its kind (for the lifetime counts).
public typealias FinishedItem = (seq: UInt64, segment: Int, kind: String)

/// Items that ended, by outcome, for the journal.
public struct FinishedItems {
    public var done: [FinishedItem] = []
    public var dead: [FinishedItem] = []
    public var expired: [FinishedItem] = []
    public var cancelled: [FinishedItem] = []

    public init() {}

    mutating func append(_ item: FinishedItem, _ state: ItemState) {
        switch state {
        case .done, .queued: done.append(item)
        case .dead: dead.append(item)
        case .expired: expired.append(item)
        case .cancelled: cancelled.append(item)
        }
    }

    mutating func removeAll() {
        done.removeAll(keepingCapacity: true)
        dead.removeAll(keepingCapacity: true)
        expired.removeAll(keepingCapacity: true)
        cancelled.removeAll(keepingCapacity: true)
    }
}

/// An item recovered from the journal: accepted, not yet done.
public struct JournalItem: Sendable, Equatable {
    public var seq: UInt64
    public var enqueuedMillis: UInt64
    public var id: String
    public var kind: String
    public var body: [UInt8]
    /// When it may start, its priority, until when it may start, its trace (`PUBX`).
    public var meta = ItemMeta()

    public init(seq: UInt64, enqueuedMillis: UInt64, id: String, kind: String, body: [UInt8], meta: ItemMeta = ItemMeta()) {
        (self.seq, self.enqueuedMillis, self.id, self.kind, self.body, self.meta) = (seq, enqueuedMillis, id, kind, body, meta)
    }
}

/// An item's options as the broker keeps them: times resolved to broker milliseconds.
public struct ItemMeta: Sendable, Equatable {
    /// Not delivered before this (0: at once).
    public var notBefore: UInt64 = 0
    /// Ends `expired` if no delivery has started by then (0: never).
    public var expiresAt: UInt64 = 0
    /// 0 (lowest, the default) to 9.
    public var priority: UInt8 = 0
    /// The W3C trace context, carried to the worker.
    public var traceparent: String?

    public init(notBefore: UInt64 = 0, expiresAt: UInt64 = 0, priority: UInt8 = 0, traceparent: String? = nil) {
        (self.notBefore, self.expiresAt, self.priority, self.traceparent) = (notBefore, expiresAt, priority, traceparent)
    }

    /// The options of a published item, for an item accepted at `now`. The broker's clock counts
    /// whole milliseconds, so an item accepted in millisecond `now` was accepted by `now + 1`: a
    /// delay or a time to live counts from there, and no item starts or expires early (up to a
    /// millisecond late).
    public init(_ options: ItemOptions, acceptedAt now: UInt64) {
        let from = now + 1
        self.init(notBefore: options.start?.resolved(acceptedAt: from) ?? 0, expiresAt: options.expiry?.resolved(acceptedAt: from) ?? 0,
                  priority: UInt8(options.priority), traceparent: options.traceparent)
    }

    /// True for an item published without options (its record is a plain `ENQ`).
    public var isPlain: Bool { notBefore == 0 && expiresAt == 0 && priority == 0 && traceparent == nil }
}

/// The broker's durable journal: a segmented append-only log of checksummed records.
///
/// Record: `u32 length, u32 CRC-32C, u8 type, payload`. Types: `ENQ` (an accepted item),
/// `ENQX` (an accepted item with options), `DONE` (items finished), `DEAD` (items moved to the
/// dead-letter file), `EXPIRED` and `CANCELLED` (items that ended so; these two start with the
/// time they ended, from which the dedup window counts after a restart). Recovery replays the
/// segments in order. It cuts a torn tail (a last record whose write never completed, after the
/// last synced byte, with nothing intact after it: never acknowledged) and refuses to start on
/// corruption (damage with intact records after it, or a file shorter than what was synced),
/// naming the segment, the offset and what lies beyond; `karez journal repair` salvages it.
/// The synced length of the current segment is kept in `synced.mark` after every group commit.
/// Segments are deleted oldest first once every item in them is done and they are older than
/// the dedup window, so done items' space is reclaimed and the dedup window survives restarts.
/// Only the broker's loop thread uses it: the tables every record touches skip Swift's dynamic
/// exclusivity checks.
public final class Journal {
    enum RecordType: UInt8 { case enqueue = 1, done = 2, dead = 3, enqueueWithOptions = 4, expired = 5, cancelled = 6 }

    public let directory: URL
    private let segmentLimit: Int
    private var fd: Int32 = -1
    private var segment = 0
    private var segmentSize = 0
    /// Bytes of the current segment whose (synced) pages were handed back to the kernel.
    private var droppedUpTo = 0
    @exclusivity(unchecked) private var buffer: [UInt8] = []
    /// Per segment: items not yet done, and the newest enqueue time.
    @exclusivity(unchecked) private var live: [Int: (count: Int, newest: UInt64)] = [:]
    /// The synced length of the current segment, kept in `synced.mark`.
    private var mark: SyncedMark
    /// Bytes of the current segment last synced (what the mark says).
    private var syncedLength = 0
    /// Syncs a segment's file or the journal folder (fdatasync): 0, or -1 with errno set. Tests
    /// put a failing disk here.
    var syncFile: (Int32) -> Int32 = { fdatasync($0) }
    /// Why a sync failed. Sticky: Linux reports a failed writeback once and then calls the pages
    /// clean, so a later sync "succeeding" (at shutdown, say) proves nothing: none succeeds after
    /// one failed, and the mark never claims what may not be on disk.
    private var syncFailure: String?
    /// How long each ``flush(sync:)`` that synced took on the disk: the commit's fdatasync and,
    /// at a segment's end, sealing it (its sync, the next segment's creation synced in the
    /// folder, the mark). What every `fsynced` acknowledgement waits for, beyond the write:
    /// `journal_sync_seconds` in the broker's metrics.
    public private(set) var commitSyncs = LatencyHistogram()
    /// The key of the record checksums (``JournalKey``), known once ``recover()`` ran.
    private(set) var key: UInt32 = 0
    /// Per segment: items accepted in it, and how many of those finished done or dead.
    @exclusivity(unchecked) private var tallies: [Int: LifetimeCounts] = [:]
    /// The counts of deleted segments (`retired-counts.json`).
    private var retired = RetiredCounts(through: 0, counts: LifetimeCounts())
    private var retiredURL: URL { directory.appendingPathComponent("retired-counts.json") }

    /// Items accepted, done and dead over the journal's life, per kind.
    public var lifetime: LifetimeCounts {
        tallies.values.reduce(into: retired.counts) { $0.add($1) }
    }

    /// Opens the journal folder (creating it).
    public init(directory: URL, segmentBytes: Int = 64 << 20) throws {
        self.directory = directory
        self.segmentLimit = segmentBytes
        self.mark = SyncedMark(directory: directory)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw BrokerError(.io, "cannot create the journal folder \(directory.path): \(error.localizedDescription); choose another --data")
        }
    }

    deinit {
        if fd >= 0 { close(fd) }
        mark.close()
    }

    /// Makes the synced mark durable (at shutdown; otherwise once a second, in ``reclaim``).
    public func syncMark() { mark.sync() }

    func path(_ n: Int) -> String { directory.appendingPathComponent(String(format: "seg-%08d.log", n)).path }

    func segments() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.compactMap { name in
            guard name.hasPrefix("seg-"), name.hasSuffix(".log") else { return nil }
            return Int(name.dropFirst(4).dropLast(4))
        }.sorted()
    }

    /// What recovery found.
    public struct Recovery: Sendable {
        /// Accepted items not yet done, in acceptance order, with the segment that holds each.
        public var pending: [(item: JournalItem, segment: Int)]
        /// `(kind, id, enqueued ms, state)` of every item still in the journal, for the dedup
        /// window: queued, or how it finished.
        public var accepted: [(kind: String, id: String, millis: UInt64, state: ItemState)]
        /// The next sequence number to use.
        public var nextSeq: UInt64
        /// Bytes of a torn tail that were cut off.
        public var truncatedBytes: Int
        /// Items accepted, done and dead over the journal's life, per kind.
        public var lifetime: LifetimeCounts
    }

    /// Replays every segment and opens a new one for appending.
    public func recover() throws -> Recovery {
        var items: [UInt64: (JournalItem, Int)] = [:]
        var accepted: [(kind: String, id: String, millis: UInt64, state: ItemState)] = []
        var acceptedIndex: [UInt64: Int] = [:]
        var nextSeq: UInt64 = 1
        var truncated = 0
        var tornAt: (segment: Int, offset: Int)?
        let all = segments()
        let synced = try mark.read()
        // A journal with a key was written by a broker that keeps marks: with segments and no
        // mark, a damaged tail cannot be told torn (never acknowledged) from cut.
        let keyed = FileManager.default.fileExists(atPath: JournalKey.url(directory).path)
        if let problem = Self.identityProblem(hasRecords: hasRecords(all), keyed: keyed, marked: synced != nil) {
            throw BrokerError(.journal, "journal \(directory.path): \(problem). Nothing was changed and the broker did not start.")
        }
        key = try JournalKey.load(directory, hasSegments: !all.isEmpty)
        retired = try LifetimeCounts.load(RetiredCounts.self, from: retiredURL) ?? retired
        var expected = synced?.sealed ?? [:]
        if let s = synced, s.length > 0 { expected[s.segment] = s.length }
        if let problem = Self.missingSegments(expected, present: Set(all), retiredThrough: retired.through) {
            throw BrokerError(.journal, "journal \(directory.path): \(problem). Nothing was changed and the broker did not start.")
        }
        var acceptedSegment: [Int] = []
        for n in all where n <= retired.through {
            // Deleted by a broker that stopped after counting it as retired: finish the job.
            unlink(path(n))
        }
        for n in all where n > retired.through {
            guard let data = FileManager.default.contents(atPath: path(n)) else {
                throw BrokerError(.io, "cannot read journal segment \(path(n))")
            }
            let syncedHere = synced?.segment == n ? synced!.length : synced?.sealed[n] ?? 0
            try data.withUnsafeBytes { raw in
                let scan = JournalScan(raw, key: key)
                if let problem = Self.corruption(scan, raw, fileLength: data.count, synced: syncedHere, isLast: n == all.last) {
                    throw BrokerError(.journal, "journal segment \(path(n)) \(problem). Nothing was changed and the broker did not start. "
                        + "Run `karez journal repair \(directory.deletingLastPathComponent().path)` to keep every intact record, "
                        + "move the damaged bytes to a quarantine file and list the items it could not recover.")
                }
                for record in scan.records {
                    var r = Reader(UnsafeRawBufferPointer(rebasing: raw[(record.offset + 8)..<(record.offset + 8 + record.length)]), at: 0)
                    let type = RecordType(rawValue: r.u8())!
                    switch type {
                    case .enqueue, .enqueueWithOptions:
                        let (seq, enqueued) = (r.u64(), r.u64())
                        var meta = ItemMeta()
                        if type == .enqueueWithOptions {
                            (meta.notBefore, meta.expiresAt, meta.priority) = (r.u64(), r.u64(), r.u8())
                            let trace = Int(r.u8())
                            if trace > 0 { meta.traceparent = r.string(trace) }
                        }
                        let item = JournalItem(seq: seq, enqueuedMillis: enqueued, id: r.string(Int(r.u16())),
                                               kind: r.string(Int(r.u8())), body: r.rest(), meta: meta)
                        items[item.seq] = (item, n)
                        acceptedIndex[item.seq] = accepted.count
                        accepted.append((item.kind, item.id, item.enqueuedMillis, .queued))
                        acceptedSegment.append(n)
                        tallies[n, default: LifetimeCounts()].accepted[item.kind, default: 0] += 1
                        nextSeq = max(nextSeq, item.seq + 1)
                        Self.add(to: &live[n, default: (0, 0)], item.enqueuedMillis)
                    case .done, .dead, .expired, .cancelled:
                        let state = Self.endState(type)
                        let endedAt: UInt64? = type == .expired || type == .cancelled ? r.u64() : nil
                        while r.remaining >= 8 {
                            let seq = r.u64()
                            if let (_, s) = items.removeValue(forKey: seq) { live[s]?.count -= 1 }
                            if let i = acceptedIndex[seq], accepted[i].state == .queued {
                                accepted[i].state = state
                                tallies[acceptedSegment[i], default: LifetimeCounts()].count(state, accepted[i].kind)
                                if let endedAt {
                                    accepted[i].millis = max(accepted[i].millis, endedAt)
                                    let segment = acceptedSegment[i]
                                    if let newest = live[segment]?.newest { live[segment]?.newest = max(newest, endedAt) }
                                }
                            }
                        }
                    }
                }
                if scan.cleanEnd < data.count {
                    truncated = data.count - scan.cleanEnd
                    tornAt = (n, scan.cleanEnd)
                }
            }
            if let (segment, at) = tornAt, segment == n {
                guard truncate(path(n), off_t(at)) == 0 else { throw BrokerError(.io, "cannot truncate the torn tail of \(path(n)): errno \(errno)") }
            }
        }
        segment = max(all.last ?? 0, retired.through) + 1
        try openSegment()
        // Every segment recovered is sealed now: new records go to the new one.
        for n in all where n > retired.through && synced?.sealed[n] == nil {
            let length = (try? FileManager.default.attributesOfItem(atPath: path(n))[.size] as? Int) ?? 0
            // Records written but not yet synced when the broker died survive in the page cache
            // and are recovered (and may be delivered, or answer a resend with DUP): put them on
            // disk before the mark says they are.
            let file = open(path(n), O_WRONLY | O_CLOEXEC)
            guard file >= 0, syncFile(file) == 0 else {
                let reason = String(cString: strerror(errno))
                if file >= 0 { close(file) }
                throw BrokerError(.io, "cannot sync the recovered journal segment \(path(n)): \(reason)")
            }
            close(file)
            mark.seal(n, length: length, current: (segment, 0))
        }
        mark.forget([], current: (segment, 0))
        let pending = items.values.sorted { $0.0.seq < $1.0.seq }.map { (item: $0.0, segment: $0.1) }
        return Recovery(pending: pending, accepted: accepted,
                        nextSeq: nextSeq, truncatedBytes: truncated, lifetime: lifetime)
    }

    /// A journal's key and mark are written together with its first records: segments with only
    /// one of them mean a file was lost, and nothing the journal says can be trusted as it is.
    static func identityProblem(hasRecords: Bool, keyed: Bool, marked: Bool) -> String? {
        guard hasRecords, keyed != marked else { return nil }
        return keyed
            ? "journal/synced.mark is missing, so a segment cut short can no longer be told from a torn write; restore it from a backup, or run `karez journal repair` to rebuild it from what the segments hold (items in a cut part are then lost unnoticed)"
            : "journal/key is missing, so no record checksum can be verified; restore it from a backup (the journal's records were written with it)"
    }

    /// True when any of the segments holds a byte.
    func hasRecords(_ segments: [Int]) -> Bool {
        segments.contains { ((try? FileManager.default.attributesOfItem(atPath: path($0))[.size] as? Int) ?? 0) > 0 }
    }

    /// Sealed segments the mark lists whose files are gone, said as a problem; nil when none is.
    static func missingSegments(_ sealed: [Int: Int], present: Set<Int>, retiredThrough: Int) -> String? {
        let missing = sealed.filter { $0.key > retiredThrough && !present.contains($0.key) }.sorted { $0.key < $1.key }
        guard !missing.isEmpty else { return nil }
        let names = missing.map { String(format: "seg-%08d.log", $0.key) + " (\($0.value) synced bytes)" }
        return "segment\(missing.count == 1 ? "" : "s") \(names.joined(separator: ", ")) \(missing.count == 1 ? "is" : "are") missing: "
            + "the acknowledged items in \(missing.count == 1 ? "it" : "them") are gone unless the file\(missing.count == 1 ? "" : "s") can be restored"
    }

    /// Why a scanned segment is corrupt rather than merely torn at its end, or nil.
    static func corruption(_ scan: JournalScan, _ raw: UnsafeRawBufferPointer, fileLength: Int, synced: Int, isLast: Bool) -> String? {
        if fileLength < synced {
            let perRecord = scan.records.isEmpty ? 0 : scan.cleanEnd / scan.records.count
            let estimate = perRecord > 0 ? ", about \((synced - fileLength) / perRecord) records at this segment's average record size" : ""
            return "ends at byte \(fileLength), but \(synced) bytes of it were synced and acknowledged: the file was cut short "
                + "and the last \(synced - fileLength) acknowledged bytes are gone\(estimate)"
        }
        guard let first = scan.damaged.first else { return nil }
        let beyond = scan.records.filter { $0.offset > first.lowerBound }
        if beyond.isEmpty && isLast && first.lowerBound >= synced { return nil }
        let items = beyond.filter { raw[$0.offset + 8] == RecordType.enqueue.rawValue }.count
        if beyond.isEmpty {
            return "is damaged at byte \(first.lowerBound), \(isLast ? "inside the \(synced) synced (acknowledged) bytes" : "and is not the last segment")"
        }
        return "is corrupt at byte \(first.lowerBound) (\(scan.damaged.map(\.count).reduce(0, +)) damaged bytes): \(beyond.count) intact records lie beyond it, \(items) of them acknowledged items"
    }

    private func openSegment() throws {
        if fd >= 0 { close(fd) }
        fd = open(path(segment), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BrokerError(.io, "cannot open journal segment \(path(segment)): \(String(cString: strerror(errno)))") }
        segmentSize = 0
        droppedUpTo = 0
        live[segment] = live[segment] ?? (0, 0)
        // Make the new file's directory entry durable too: without it a crash can take the
        // segment, and every item acknowledged in it, with it.
        // (A file system that cannot sync a folder at all answers EINVAL: nothing to do there,
        // as PostgreSQL also holds.)
        let dir = open(directory.path, O_RDONLY | O_DIRECTORY)
        let synced = dir >= 0 && (syncFile(dir) == 0 || errno == EINVAL)
        let reason = String(cString: strerror(errno))
        if dir >= 0 { close(dir) }
        guard synced else {
            throw BrokerError(.io, "cannot sync the journal folder \(directory.path) after creating \(path(segment)): \(reason); nothing in it was acknowledged")
        }
    }

    /// The segment the next record goes to.
    public var currentSegment: Int { segment }

    /// Buffers an accepted item; ``flush(sync:)`` writes it. Returns its segment.
    @discardableResult
    public func appendEnqueue(_ item: JournalItem) -> Int {
        let plain = item.meta.isPlain
        let start = beginRecord(plain ? .enqueue : .enqueueWithOptions)
        put(&buffer, item.seq)
        put(&buffer, item.enqueuedMillis)
        if !plain {
            put(&buffer, item.meta.notBefore)
            put(&buffer, item.meta.expiresAt)
            buffer.append(item.meta.priority)
            let trace = item.meta.traceparent.map { Array($0.utf8.prefix(255)) } ?? []
            buffer.append(UInt8(trace.count))
            buffer += trace
        }
        put16(&buffer, UInt16(item.id.utf8.count))
        buffer += item.id.utf8
        buffer.append(UInt8(item.kind.utf8.count))
        buffer += item.kind.utf8
        buffer += item.body
        endRecord(start)
        tallies[segment, default: LifetimeCounts()].accepted[item.kind, default: 0] += 1
        Self.add(to: &live[segment, default: (0, 0)], item.enqueuedMillis)  // one lookup
        return segment
    }

    /// A segment's live entry with one more item, enqueued at `millis`.
    private static func add(to entry: inout (count: Int, newest: UInt64), _ millis: UInt64) {
        entry.count += 1
        entry.newest = max(entry.newest, millis)
    }

    /// A segment's live entry, if it has one, with one item fewer; one that ended at `endedAt`
    /// (expired or cancelled) keeps the segment a dedup window from then.
    private static func remove(from entry: inout (count: Int, newest: UInt64)?, endedAt: UInt64?) {
        guard entry != nil else { return }
        entry!.count -= 1
        if let endedAt { entry!.newest = max(entry!.newest, endedAt) }
    }

    /// Buffers the end of items: done, moved to the dead letters, expired or cancelled (those two
    /// with `now`, the time they ended: their segment, and their id in the dedup window after a
    /// restart, are kept a window from then, not from their acceptance).
    public func appendFinished(_ entries: [FinishedItem], as state: ItemState = .done, now: UInt64 = 0) {
        guard !entries.isEmpty, state != .queued else { return }
        let type: RecordType = switch state {
        case .done, .queued: .done
        case .dead: .dead
        case .expired: .expired
        case .cancelled: .cancelled
        }
        let start = beginRecord(type)
        let timed = type == .expired || type == .cancelled
        if timed { put(&buffer, now) }
        for e in entries {
            put(&buffer, e.seq)
            Self.remove(from: &live[e.segment], endedAt: timed ? now : nil)  // one lookup
            tallies[e.segment, default: LifetimeCounts()].count(state, e.kind)
        }
        endRecord(start)
    }

    /// Buffers every item that ended since the last call, one record per outcome.
    public func appendFinished(_ ended: FinishedItems, now: UInt64) {
        appendFinished(ended.done, as: .done)
        appendFinished(ended.dead, as: .dead)
        appendFinished(ended.expired, as: .expired, now: now)
        appendFinished(ended.cancelled, as: .cancelled, now: now)
    }

    static func endState(_ type: RecordType) -> ItemState {
        switch type {
        case .done: .done
        case .dead: .dead
        case .expired: .expired
        case .cancelled: .cancelled
        case .enqueue, .enqueueWithOptions: .queued
        }
    }

    /// Starts a record in the buffer: room for its length and checksum, then its type.
    private func beginRecord(_ type: RecordType) -> Int {
        let start = buffer.count
        put(&buffer, UInt64(0))
        buffer.append(type.rawValue)
        return start
    }

    /// Fills in the length and CRC-32C of the record that starts at `start`.
    private func endRecord(_ start: Int) {
        let length = buffer.count - start - 8
        buffer.withUnsafeMutableBytes { raw in
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(start + 8)...]), key: key)
            raw.storeBytes(of: UInt32(length).littleEndian, toByteOffset: start, as: UInt32.self)
            raw.storeBytes(of: crc.littleEndian, toByteOffset: start + 4, as: UInt32.self)
        }
    }

    /// Bytes of records waiting to be written.
    public var bufferedBytes: Int { buffer.count }

    /// True when records wait to be written.
    public var hasUnwritten: Bool { !buffer.isEmpty }

    /// Writes buffered records; with `sync`, also waits until they are on disk (fdatasync).
    public func flush(sync: Bool) throws {
        if !buffer.isEmpty {
            var written = 0
            let total = buffer.count
            try buffer.withUnsafeBytes { raw in
                while written < total {
                    let n = write(fd, raw.baseAddress! + written, total - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw BrokerError(.io, "writing the journal failed: \(String(cString: strerror(errno))) (disk full?); nothing was acknowledged")
                    }
                    written += n
                }
            }
            segmentSize += total
            buffer.removeAll(keepingCapacity: true)
        }
        // What an acknowledgement waits for on the disk: this commit's sync and, at a segment's
        // end, sealing it and opening the next (``commitSyncs``). A write alone reads no clock.
        let started = sync || segmentSize >= segmentLimit ? BrokerClock.monotonicMicros() : 0
        var synced = false
        if sync {
            if let syncFailure { throw BrokerError(.io, syncFailure) }
            // Nothing written since the last sync: nothing to wait for.
            if segmentSize > syncedLength {
                if syncFile(fd) != 0 {
                    syncFailure = "fdatasync of the journal failed: \(String(cString: strerror(errno))); what it held was not acknowledged"
                    throw BrokerError(.io, syncFailure!)
                }
                synced = true
                mark.record(segment: segment, length: segmentSize)
                syncedLength = segmentSize
                // The synced records are read again only by recovery: hand their pages back to the
                // kernel now, so the next writes reuse warm pages instead of claiming new ones.
                #if os(Linux)
                let upTo = segmentSize & ~4095
                if upTo > droppedUpTo {
                    _ = posix_fadvise(fd, off_t(droppedUpTo), off_t(upTo - droppedUpTo), POSIX_FADV_DONTNEED)
                    droppedUpTo = upTo
                }
                #endif
            }
        }
        if segmentSize >= segmentLimit {
            // The segment is sealed as synced: its sync is checked (and a failure sticky) also
            // when the caller syncs later, since that later sync covers only the next segment.
            if !sync {
                if let syncFailure { throw BrokerError(.io, syncFailure) }
                if syncFile(fd) != 0 {
                    syncFailure = "fdatasync of the journal failed: \(String(cString: strerror(errno))); what it held was not acknowledged"
                    throw BrokerError(.io, syncFailure!)
                }
            }
            let (sealed, length) = (segment, segmentSize)
            segment += 1
            try openSegment()
            mark.seal(sealed, length: length, current: (segment, 0))
            syncedLength = 0
            synced = true
        }
        if synced { commitSyncs.record(micros: BrokerClock.monotonicMicros() &- started) }
    }

    /// Deletes the oldest segments whose items are all done and older than the dedup window.
    /// - Returns: how many segments were deleted.
    @discardableResult
    public func reclaim(nowMillis: UInt64, dedupWindowMillis: UInt64) -> Int {
        mark.sync()
        var deletable: [Int] = []
        for n in live.keys.sorted() where n != segment {
            guard let entry = live[n], entry.count <= 0, entry.newest + dedupWindowMillis < nowMillis else { break }
            deletable.append(n)
        }
        guard let last = deletable.last else { return 0 }
        // Their counts are kept first (synced), then the files go.
        var next = retired
        next.through = last
        for n in deletable { next.counts.add(tallies[n] ?? LifetimeCounts()) }
        do { try LifetimeCounts.save(next, to: retiredURL, sync: true) } catch { return 0 }
        retired = next
        for n in deletable {
            unlink(path(n))
            live[n] = nil
            tallies[n] = nil
        }
        mark.forget(deletable, current: (segment, syncedLength))
        return deletable.count
    }

    private func put(_ b: inout [UInt8], _ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
    private func put16(_ b: inout [UInt8], _ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { b += $0 } }
}

/// Reads little-endian fields of a record.
private struct Reader {
    let raw: UnsafeRawBufferPointer
    var at: Int
    init(_ raw: UnsafeRawBufferPointer, at: Int) { self.raw = raw; self.at = at }
    var remaining: Int { raw.count - at }
    mutating func u64() -> UInt64 { defer { at += 8 }; return raw.loadUnaligned(fromByteOffset: at, as: UInt64.self).littleEndian }
    mutating func u16() -> UInt16 { defer { at += 2 }; return raw.loadUnaligned(fromByteOffset: at, as: UInt16.self).littleEndian }
    mutating func u8() -> UInt8 { defer { at += 1 }; return raw[at] }
    mutating func string(_ n: Int) -> String { defer { at += n }; return String(decoding: raw[at..<(at + n)], as: UTF8.self) }
    mutating func rest() -> [UInt8] { defer { at = raw.count }; return Array(raw[at...]) }
}

/// A broker failure: what kind of failure, and one line that says what to do.
public struct BrokerError: Error, CustomStringConvertible {
    /// What failed.
    public enum Reason: Sendable, Equatable {
        /// An endpoint could not be bound (in use, or not an address of this machine).
        case endpoint
        /// The journal (or a file kept beside it) is damaged or not what it should be: the
        /// broker refuses to start rather than lose what it cannot read (`karez journal`).
        case journal
        /// Reading, writing or syncing a file failed (a full disk, permissions).
        case io
        /// The broker stopped before it listened.
        case stopped
    }
    public let reason: Reason
    public let message: String
    public init(_ reason: Reason, _ message: String) { (self.reason, self.message) = (reason, message) }
    public var description: String { message }
}
