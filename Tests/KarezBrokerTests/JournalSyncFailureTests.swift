import Foundation
import KarezTestSupport
import Testing
@testable import KarezBroker

/// A journal of 4 KiB segments in a new folder, with `syncFile` as its disk's sync, and 100
/// items buffered: more than one segment holds.
private func journalPastOneSegment(_ label: String, sync: @escaping (Int32) -> Int32) throws -> (Journal, URL) {
    let folder = ScratchFolder.make(label).appendingPathComponent("journal")
    let journal = try Journal(directory: folder, segmentBytes: 4096)
    _ = try journal.recover()
    journal.syncFile = sync
    for seq in 1...100 {
        journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "item-\(seq)", kind: "news", body: Array(#"{"title":"t"}"#.utf8)))
    }
    return (journal, folder)
}

/// `flush` must throw an error whose text holds every one of `words`.
private func expectFlushFails(_ journal: Journal, sync: Bool, _ what: String, saying words: [String],
                              sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        try journal.flush(sync: sync)
        Issue.record("\(what)", sourceLocation: sourceLocation)
    } catch {
        #expect(words.allSatisfy { "\(error)".contains($0) }, "\(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Journal: a failed sync is never taken as done, where a segment is sealed or opened")
struct JournalSyncFailureTests {
    /// Records past the segment limit written without a sync (the broker writes a turn's records
    /// before its fsync): sealing the segment syncs it first, and that sync failing is thrown,
    /// kept (every later sync fails without trying), and nothing is sealed.
    @Test func aSyncThatFailsWhereASegmentIsSealedIsThrownAndSticky() throws {
        var syncs = 0
        let (journal, folder) = try journalPastOneSegment("journal-sync-failure") { _ in
            syncs += 1
            errno = EIO
            return -1
        }
        let first = journal.currentSegment
        expectFlushFails(journal, sync: false, "the segment was sealed although its sync failed",
                         saying: ["fdatasync of the journal failed", "not acknowledged"])
        #expect(syncs == 1)
        #expect(journal.currentSegment == first, "a segment whose sync failed was sealed")
        // Sticky: Linux reports a failed writeback once, so no later sync may pass for proof.
        #expect(throws: BrokerError.self) { try journal.flush(sync: true) }
        #expect(syncs == 1, "a sync after a failed one was tried and could have 'succeeded'")
        var mark = SyncedMark(directory: folder)
        let marked = try mark.read()
        #expect(marked?.sealed.isEmpty ?? true && (marked?.length ?? 0) == 0, "the mark claims bytes never synced: \(String(describing: marked))")
    }

    /// The segments' syncs pass; the folder's (a descriptor of a directory), made when the next
    /// segment is created, fails: thrown, as a crash could lose the new file's entry.
    @Test func aFolderSyncThatFailsWhenASegmentIsOpenedIsThrown() throws {
        let (journal, _) = try journalPastOneSegment("journal-folder-sync") { fd in
            var info = stat()
            if fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFDIR {
                errno = EIO
                return -1
            }
            return fdatasync(fd)
        }
        expectFlushFails(journal, sync: true, "a segment was opened although its folder entry could not be synced",
                         saying: ["cannot sync the journal folder"])
    }
}
