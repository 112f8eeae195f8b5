import CZMQBaseline
import Foundation
import Histogram
import ZeroMQ

/// Raw libzmq in C on the same payload size, run in the same bench invocation: PUSH/PULL, and a
/// durable DEALER/ROUTER that appends to a log with the same fsync policy and acknowledges.
public struct Baselines: Sendable, Codable {
    public var pushPull: Double
    public var durable: Double
    public var size: Int
    public var fsync: String

    /// Runs both once each (`count` messages of `size` bytes).
    public static func run(size: Int, count: Int, fsync: String, window: Int) throws -> Baselines {
        let push = try TransportBenchmark(pattern: .pushPull, size: size, count: count).runC().rate
        // fsync=always syncs per message: fewer messages keep the run short.
        let n = fsync == "always" ? min(count, 20_000) : count
        let r = try DurableLog.with { kz_durable_run("tcp://127.0.0.1:*", size, n, DurableLog.mode(fsync), Int32(window), $0) }
        return Baselines(pushPull: push, durable: r.seconds > 0 ? Double(r.messages) / r.seconds : 0, size: size, fsync: fsync)
    }
}

/// The C durable DEALER/ROUTER driven open loop at a Karez run's rate: its latency from each
/// message's intended send time to the durable acknowledgement (coordinated omission corrected,
/// waits to the microsecond) is the yardstick of Karez's open-loop latency, measured on the same
/// machine, in the same run, with the same fsync policy.
public struct OpenLoopBaseline: Sendable {
    public var rate: Double
    public var size: Int
    public var fsync: String
    /// Microseconds from intended send time to acknowledgement, one value per message.
    public var latency: Histogram<UInt64>
    /// Context switches of its threads (sender, queue, their ZeroMQ I/O threads) per message:
    /// beside Karez's per item, how many wake-ups each design pays.
    public var switchesPerMessage = 0.0
    /// CPU microseconds of its threads per message.
    public var cpuMicrosPerMessage = 0.0
    /// Microseconds of each of its fdatasyncs (one per burst it acknowledged): the same disk's
    /// part, beside the broker's `journal_sync_seconds` of the Karez run just before.
    public var syncs: Histogram<UInt64>? = nil

    /// Sends `count` messages of `size` bytes at `rate` per second.
    public static func run(size: Int, rate: Double, count: Int, fsync: String) throws -> OpenLoopBaseline {
        var micros = [Int64](repeating: 0, count: max(1, count))
        var syncMicros = [Int64](repeating: 0, count: max(1, count))
        var synced = 0
        // The bench's own threads are idle meanwhile: this process's switches are the C queue's.
        let before = ProcessStats.selfUsage
        let r = try micros.withUnsafeMutableBufferPointer { out in
            try syncMicros.withUnsafeMutableBufferPointer { syncOut in
                var syncs = kz_syncs(micros: syncOut.baseAddress, capacity: syncOut.count, count: 0)
                defer { synced = syncs.count }
                return try DurableLog.with { kz_durable_open_run("tcp://127.0.0.1:*", size, count, rate, DurableLog.mode(fsync), $0, out.baseAddress, &syncs) }
            }
        }
        let after = ProcessStats.selfUsage, messages = Double(max(1, r.messages))
        return OpenLoopBaseline(rate: rate, size: size, fsync: fsync, latency: histogram(micros.prefix(r.messages)),
                                switchesPerMessage: Double(after.switches - before.switches) / messages,
                                cpuMicrosPerMessage: (after.cpuSeconds - before.cpuSeconds) * 1e6 / messages,
                                syncs: synced > 0 ? histogram(syncMicros.prefix(synced)) : nil)
    }

    /// Microsecond values as an HdrHistogram (1 µs to an hour, three digits).
    private static func histogram(_ values: ArraySlice<Int64>) -> Histogram<UInt64> {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for v in values { _ = h.record(UInt64(min(3_600_000_000, max(0, v)))) }
        return h
    }
}

/// What one thread waking another costs on this machine, measured in C in the same run
/// (`kz_wakeup_run`): two threads wake each other in turn through eventfds. Every message
/// between Karez's processes costs a few wake-ups (the sender's ZeroMQ I/O thread, the
/// receiver's, the receiving thread), so a turn's cost is about its context switches times this:
/// a few microseconds on bare metal, tens under nested virtualisation.
public struct WakeupYardstick: Sendable {
    /// CPU time of both threads per wake-up, microseconds.
    public var cpuMicrosPerWakeup: Double
    /// Wall time of one round (a wake-up each way), microseconds.
    public var roundTripMicros: Double

    /// Runs the ping-pong for `seconds`.
    public static func run(seconds: Double = 0.5) throws -> WakeupYardstick {
        let r = kz_wakeup_run(seconds)
        if r.error != 0 { throw ZMQError(code: r.error, operation: "C wake-up yardstick") }
        return WakeupYardstick(cpuMicrosPerWakeup: r.cpu_us_per_wakeup, roundTripMicros: r.round_trip_us)
    }
}

/// The C durable queue's log: a temporary file, removed after the run.
enum DurableLog {
    static func mode(_ fsync: String) -> kz_fsync { fsync == "always" ? KZ_FSYNC_ALWAYS : fsync == "never" ? KZ_FSYNC_NEVER : KZ_FSYNC_BATCH }

    /// Runs `body` with the log's path and throws its error.
    static func with(_ body: (String) -> kz_baseline_result) throws -> kz_baseline_result {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("karez-baseline-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let r = body(log.path)
        if r.error != 0 { throw ZMQError(code: r.error, operation: "C durable baseline") }
        return r
    }
}
