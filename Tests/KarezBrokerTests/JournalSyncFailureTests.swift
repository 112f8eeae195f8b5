import Foundation
import KarezTestSupport
import Testing
@testable import KarezBroker

@Suite("Journal: a failed fdatasync is never taken as synced, also where a segment is sealed")
struct JournalSyncFailureTests {
    /// Records past the segment limit written without a sync (the broker writes a turn's records
    /// before its fsync): sealing the segment syncs it first, and that sync failing is thrown,
    /// kept (every later sync fails without trying), and nothing is sealed.
    @Test func aSyncThatFailsWhereASegmentIsSealedIsThrownAndSticky() throws {
        let folder = ScratchFolder.make("journal-sync-failure").appendingPathComponent("journal")
        let journal = try Journal(directory: folder, segmentBytes: 4096)
        _ = try journal.recover()
        let first = journal.currentSegment
        var syncs = 0
        journal.syncFile = { _ in
            syncs += 1
            errno = EIO
            return -1
        }
        for seq in 1...100 {
            journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "item-\(seq)", kind: "news", body: Array(#"{"title":"t"}"#.utf8)))
        }
        do {
            try journal.flush(sync: false)
            Issue.record("the segment was sealed although its sync failed")
        } catch {
            #expect("\(error)".contains("fdatasync of the journal failed") && "\(error)".contains("not acknowledged"), "\(error)")
        }
        #expect(syncs == 1)
        #expect(journal.currentSegment == first, "a segment whose sync failed was sealed")
        // Sticky: Linux reports a failed writeback once, so no later sync may pass for proof.
        #expect(throws: BrokerError.self) { try journal.flush(sync: true) }
        #expect(syncs == 1, "a sync after a failed one was tried and could have 'succeeded'")
        var mark = SyncedMark(directory: folder)
        let marked = try mark.read()
        #expect(marked?.sealed.isEmpty ?? true && (marked?.length ?? 0) == 0, "the mark claims bytes never synced: \(String(describing: marked))")
    }
}
