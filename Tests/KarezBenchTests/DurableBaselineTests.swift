import CZMQBaseline
import Glibc
import Testing

/// The C durable queue, the yardstick of every load report: it measures, and a failure on
/// either side ends the run with that error instead of leaving the other side waiting.
@Suite("C durable baseline")
struct DurableBaselineTests {
    @Test func openLoopGivesOneLatencyPerMessage() {
        var micros = [Int64](repeating: -1, count: 200)
        var syncMicros = [Int64](repeating: -1, count: 200)
        let path = "/tmp/karez-durable-test-\(getpid()).log"
        defer { unlink(path) }
        var syncs = kz_syncs(micros: nil, capacity: 0, count: 0)
        let r = micros.withUnsafeMutableBufferPointer { out in
            syncMicros.withUnsafeMutableBufferPointer { syncOut in
                syncs = kz_syncs(micros: syncOut.baseAddress, capacity: syncOut.count, count: 0)
                return kz_durable_open_run("tcp://127.0.0.1:*", 100, 200, 2000, KZ_FSYNC_BATCH, path, out.baseAddress, &syncs)
            }
        }
        #expect(r.error == 0 && r.messages == 200)
        #expect(micros.allSatisfy { $0 >= 0 }, "every message acknowledged and timed")
        #expect(r.seconds >= 199.0 / 2000, "sent at 2000/s, not faster")
        // One fdatasync per burst acknowledged, each timed; at least one, at most one per message.
        #expect(syncs.count >= 1 && syncs.count <= 200, "\(syncs.count) syncs")
        #expect(syncMicros.prefix(syncs.count).allSatisfy { $0 >= 0 } && syncMicros.dropFirst(syncs.count).allSatisfy { $0 == -1 })
    }

    /// Writing the log fails at once (/dev/full: ENOSPC): both runs report it and return.
    @Test func aFailedWriteEndsTheRunWithItsError() {
        var micros = [Int64](repeating: 0, count: 1000)
        let open = micros.withUnsafeMutableBufferPointer { kz_durable_open_run("tcp://127.0.0.1:*", 100, 1000, 10_000, KZ_FSYNC_BATCH, "/dev/full", $0.baseAddress, nil) }
        #expect(open.error == ENOSPC)
        let closed = kz_durable_run("tcp://127.0.0.1:*", 100, 1000, KZ_FSYNC_BATCH, 100, "/dev/full")
        #expect(closed.error == ENOSPC)
    }
}
