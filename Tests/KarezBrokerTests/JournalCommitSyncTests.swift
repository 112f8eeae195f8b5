import Foundation
import KarezTestSupport
import Testing
@testable import KarezBroker

@Suite("Journal: every commit's fdatasync is timed (journal_sync_seconds)")
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
