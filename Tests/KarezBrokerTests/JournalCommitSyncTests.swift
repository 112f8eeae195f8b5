import Foundation
import KarezTestSupport
import Testing
@testable import KarezBroker

@Suite("Journal: every sync an acknowledgement waits for is timed (journal_sync_seconds)")
struct JournalCommitSyncTests {
    private func item(_ seq: Int) -> JournalItem {
        JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "item-\(seq)", kind: "news", body: Array(#"{"title":"t"}"#.utf8))
    }

    /// On a real file: each `flush(sync: true)` is one timed sync, a write alone is none.
    @Test func eachSyncedFlushIsOneTimedSync() throws {
        let journal = try Journal(directory: ScratchFolder.make("journal-commit-syncs").appendingPathComponent("journal"))
        _ = try journal.recover()
        let before = journal.commitSyncs.count
        for seq in 1...3 {
            journal.appendEnqueue(item(seq))
            try journal.flush(sync: false)
            try journal.flush(sync: true)
        }
        journal.appendEnqueue(item(4))
        try journal.flush(sync: false)
        #expect(journal.commitSyncs.count - before == 3)
    }

    /// Sealing a full segment is waited for like a commit, even inside a write without sync:
    /// one value covering the segment's sync, the next one's creation and the mark.
    @Test func sealingASegmentIsTimedAsOneSync() throws {
        let journal = try Journal(directory: ScratchFolder.make("journal-seal-sync").appendingPathComponent("journal"), segmentBytes: 4096)
        _ = try journal.recover()
        let first = journal.currentSegment
        for seq in 1...100 { journal.appendEnqueue(item(seq)) }
        let before = journal.commitSyncs.count
        try journal.flush(sync: false)
        #expect(journal.currentSegment == first + 1, "100 items pass a 4 KiB segment")
        #expect(journal.commitSyncs.count == before + 1)
    }

    /// A synced flush with nothing written since the last sync waits for nothing: no fdatasync,
    /// no value.
    @Test func aSyncWithNothingNewIsSkipped() throws {
        let journal = try Journal(directory: ScratchFolder.make("journal-nothing-new").appendingPathComponent("journal"))
        _ = try journal.recover()
        var syncs = 0
        journal.syncFile = { fd in syncs += 1; return fdatasync(fd) }
        journal.appendEnqueue(item(1))
        try journal.flush(sync: true)
        let counted = journal.commitSyncs.count
        try journal.flush(sync: true)
        try journal.flush(sync: true)
        #expect(syncs == 1 && journal.commitSyncs.count == counted)
    }

    /// A disk that takes 3 ms to sync shows as 3 ms or more in the histogram's sum and buckets.
    @Test func aSlowSyncShowsItsLength() throws {
        let journal = try Journal(directory: ScratchFolder.make("journal-slow-sync").appendingPathComponent("journal"))
        _ = try journal.recover()
        journal.syncFile = { fd in
            let until = BrokerClock.monotonicMicros() + 3_000
            while BrokerClock.monotonicMicros() < until {}
            return fdatasync(fd)
        }
        let before = journal.commitSyncs
        journal.appendEnqueue(item(1))
        try journal.flush(sync: true)
        #expect(journal.commitSyncs.count == before.count + 1)
        #expect(journal.commitSyncs.sum - before.sum >= 0.003, "\(journal.commitSyncs.sum - before.sum) s")
        let underTwoMillis = journal.commitSyncs.cumulativeBuckets.first { $0.upperBound == 0.002 }?.count ?? -1
        let beforeUnder = before.cumulativeBuckets.first { $0.upperBound == 0.002 }?.count ?? -1
        #expect(underTwoMillis == beforeUnder, "a 3 ms sync was counted at or under 2 ms")
    }
}
