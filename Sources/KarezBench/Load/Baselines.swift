import CZMQBaseline
import Foundation
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
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("karez-baseline-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let mode: kz_fsync = fsync == "always" ? KZ_FSYNC_ALWAYS : fsync == "never" ? KZ_FSYNC_NEVER : KZ_FSYNC_BATCH
        // fsync=always syncs per message: fewer messages keep the run short.
        let n = fsync == "always" ? min(count, 20_000) : count
        let r = kz_durable_run("tcp://127.0.0.1:*", size, n, mode, Int32(window), log.path)
        if r.error != 0 { throw ZMQError(code: r.error, operation: "C durable baseline") }
        return Baselines(pushPull: push, durable: r.seconds > 0 ? Double(r.messages) / r.seconds : 0, size: size, fsync: fsync)
    }
}
