import Foundation
import KarezTestSupport
import Testing
@testable import KarezBroker

/// A journal of `count` acknowledged items in one segment, written and synced in groups as the
/// broker does, then closed cleanly. Returns the data folder and the segment's path.
private func acknowledgedJournal(_ count: Int) throws -> (data: URL, segment: String) {
    let data = ScratchFolder.make("journal-damage")
    let journal = try Journal(directory: data.appendingPathComponent("journal"))
    _ = try journal.recover()
    for seq in 1...count {
        journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "item-\(seq)", kind: "news",
                                          body: Array(#"{"id":"item-\#(seq)","title":"t","body":"b"}"#.utf8)))
        if seq % 100 == 0 { try journal.flush(sync: true) }
    }
    try journal.flush(sync: true)
    journal.syncMark()
    return (data, journal.path(journal.currentSegment))
}

private func recover(_ data: URL) throws -> Journal.Recovery {
    try Journal(directory: data.appendingPathComponent("journal")).recover()
}

/// Recovery of `data` must refuse with an error whose text contains every one of `words`.
private func expectRefused(_ data: URL, _ what: String, containing words: [String],
                           sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try recover(data)
        Issue.record("\(what) was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(words.allSatisfy { "\(error)".contains($0) }, "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Journal: a damaged last segment is refused, never silently cut; repair salvages it")
struct JournalDamageTests {
    @Test func aSegmentCutInHalfIsRefusedAndRepairKeepsEveryIntactItem() throws {
        let (data, segment) = try acknowledgedJournal(3_000)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: segment)[.size] as? Int)
        #expect(truncate(segment, off_t(size / 2)) == 0)
        #expect(throws: BrokerError.self) { try recover(data) }
        do { _ = try recover(data) } catch {
            #expect("\(error)".contains("cut short"), "\(error)")
            #expect("\(error)".contains(segment))
            #expect("\(error)".contains("karez journal repair"))
        }
        let findings = try JournalRepair.run(data: data, repair: true)
        #expect(findings.first?.quarantine != nil)
        let recovery = try recover(data)
        #expect(recovery.pending.count >= 1_499 && recovery.pending.count < 3_000)
        #expect(Set(recovery.pending.map(\.item.id)).count == recovery.pending.count)
    }

    @Test func oneFlippedByteCostsOneItemAndIsNamed() throws {
        let (data, segment) = try acknowledgedJournal(3_000)
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        let at = bytes.count / 10
        bytes[at] ^= 0x5A
        try bytes.write(to: URL(fileURLWithPath: segment))
        expectRefused(data, "a corrupt segment", containing: ["corrupt at byte", "acknowledged items"])
        #expect(FileManager.default.contents(atPath: segment) == bytes, "recovery changed a corrupt segment")
        let findings = try JournalRepair.run(data: data, repair: true)
        let recovery = try recover(data)
        #expect(recovery.pending.count == 2_999, "every intact item survives")
        let lost = Set((1...3_000).map { "item-\($0)" }).subtracting(recovery.pending.map(\.item.id))
        #expect(lost.count == 1)
        // The damaged record is reported as one unrecoverable item (its id as far as legible:
        // the flipped byte may lie in the id itself).
        #expect(findings.flatMap(\.lostIDs).count == 1, "\(findings.flatMap(\.lostIDs)) for \(lost)")
    }

    @Test func aTornTailAfterTheLastSyncIsCutAsNeverAcknowledged() throws {
        let (data, segment) = try acknowledgedJournal(500)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: segment))
        try h.seekToEnd()
        try h.write(contentsOf: [40, 0, 0, 0, 1, 2, 3])
        try h.close()
        let recovery = try recover(data)
        #expect(recovery.pending.count == 500)
        #expect(recovery.truncatedBytes == 7)
    }

    /// An item body built to look like a `DONE` record for other items: when the item's own
    /// record is damaged and repair resynchronises through its bytes, the forgery does not pass
    /// for a record (checksums are keyed with the journal's key), so no victim is lost.
    @Test func aRecordForgedInsideAnItemBodyIsNotTrustedByRepair() throws {
        let data = ScratchFolder.make("journal-forged")
        let folder = data.appendingPathComponent("journal")
        let journal = try Journal(directory: folder)
        _ = try journal.recover()
        for seq in 1...100 {
            journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "victim-\(seq)", kind: "news", body: Array("{}".utf8)))
        }
        // payload: type 2 (DONE) and the victims' sequence numbers; the checksum as an outsider
        // can compute it (no key).
        var payload: [UInt8] = [2]
        for seq in 1...100 { withUnsafeBytes(of: UInt64(seq).littleEndian) { payload += $0 } }
        var forged: [UInt8] = []
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { forged += $0 }
        withUnsafeBytes(of: payload.withUnsafeBytes { CRC32C.checksum($0) }.littleEndian) { forged += $0 }
        forged += payload
        journal.appendEnqueue(JournalItem(seq: 101, enqueuedMillis: 1_000, id: "attacker-1", kind: "news",
                                          body: Array(#"{"x":""#.utf8) + forged + Array(#""}"#.utf8)))
        try journal.flush(sync: true)
        journal.syncMark()
        let segment = journal.path(journal.currentSegment)
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        let attacker = try #require(bytes.indices.last { bytes[$0...].starts(with: Array("attacker-1".utf8)) })
        bytes[attacker - 20] ^= 0xFF   // the sequence number in the attacker's own record
        try bytes.write(to: URL(fileURLWithPath: segment))
        _ = try JournalRepair.run(data: data, repair: true)
        let recovery = try recover(data)
        #expect(recovery.pending.filter { $0.item.id.hasPrefix("victim-") }.count == 100, "the forged DONE record was trusted")
    }

    /// A journal of several sealed segments (small segments, items synced in groups).
    private func sealedSegments() throws -> (data: URL, first: String) {
        let data = ScratchFolder.make("journal-sealed")
        do {
            let journal = try Journal(directory: data.appendingPathComponent("journal"), segmentBytes: 4096)
            _ = try journal.recover()
            for seq in 1...300 {
                journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "item-\(seq)", kind: "news", body: Array(#"{"title":"t"}"#.utf8)))
                if seq % 20 == 0 { try journal.flush(sync: true) }
            }
            try journal.flush(sync: true)
            journal.syncMark()
        }
        let first = data.appendingPathComponent("journal/seg-00000001.log").path
        #expect(FileManager.default.fileExists(atPath: data.appendingPathComponent("journal/seg-00000003.log").path))
        return (data, first)
    }

    @Test func anEarlierSegmentCutAtARecordBoundaryIsRefused() throws {
        let (data, first) = try sealedSegments()
        let bytes = try #require(FileManager.default.contents(atPath: first))
        let boundary = bytes.withUnsafeBytes { JournalScan($0, key: try! JournalKey.load(data.appendingPathComponent("journal"), hasSegments: true)).records[3].offset }
        try bytes.prefix(boundary).write(to: URL(fileURLWithPath: first))
        expectRefused(data, "a sealed segment cut short", containing: ["cut short", "seg-00000001.log"])
    }

    @Test func aMissingSegmentIsRefusedAndNamed() throws {
        let (data, first) = try sealedSegments()
        try FileManager.default.removeItem(atPath: first)
        expectRefused(data, "a journal with a segment missing", containing: ["seg-00000001.log", "missing"])
    }

    @Test func aLostMarkIsNotTakenAsProofThatADamagedTailWasNeverAcknowledged() throws {
        let (data, segment) = try acknowledgedJournal(500)
        try FileManager.default.removeItem(at: data.appendingPathComponent("journal/synced.mark"))
        let bytes = try #require(FileManager.default.contents(atPath: segment))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: segment))
        #expect(throws: BrokerError.self) { try recover(data) }
    }

    @Test func theCurrentSegmentDeletedIsRefused() throws {
        let (data, segment) = try acknowledgedJournal(300)
        try FileManager.default.removeItem(atPath: segment)
        expectRefused(data, "a journal without its current segment", containing: ["missing"])
    }

    @Test func aLostKeyIsRefusedAndRepairDoesNotQuarantineEverything() throws {
        let (data, segment) = try acknowledgedJournal(300)
        try FileManager.default.removeItem(at: data.appendingPathComponent("journal/key"))
        let before = FileManager.default.contents(atPath: segment)
        expectRefused(data, "a journal without its key", containing: ["journal/key is missing"])
        #expect(throws: BrokerError.self) { try JournalRepair.run(data: data, repair: true) }
        #expect(FileManager.default.contents(atPath: segment) == before, "repair changed a journal it cannot verify")
    }

    @Test func aDamagedMarkIsAnErrorNotACrash() throws {
        let (data, _) = try acknowledgedJournal(50)
        let mark = data.appendingPathComponent("journal/synced.mark")
        var bytes = try #require(FileManager.default.contents(atPath: mark.path))
        bytes[7] = 0xFF
        try bytes.write(to: mark)
        #expect(throws: BrokerError.self) { try recover(data) }
    }
}
