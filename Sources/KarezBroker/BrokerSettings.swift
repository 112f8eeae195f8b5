import KarezProtocol
import KarezWire
import ZeroMQ

/// The broker's limits and timings (flags of `karez broker`).
public struct BrokerSettings: Sendable {
    public var name = "karez-broker"
    public var kinds: Set<String> = ["news", "patient", "lead"]
    public var fsync: FsyncPolicy = .batch
    public var maxItemBytes = 1 << 20
    public var maxQueuedItems = 1_000_000
    public var maxQueuedBytes = 1 << 30
    public var dedupWindowMillis: UInt64 = 10 * 60 * 1000
    /// Most ids the dedup window holds (about 120 bytes each); beyond it the oldest are
    /// forgotten before their time, so memory stays bounded at any publish rate.
    public var dedupMaxIDs = 10_000_000
    public var leaseMillis: UInt64 = 30_000
    public var heartbeatMillis: UInt64 = 1000
    /// A worker silent this many heartbeats is considered gone.
    public var heartbeatLiveness: UInt64 = 3
    public var maxAttempts = 5
    /// Times an item may be held by workers that died holding other jobs too (uncharged)
    /// before it is delivered alone, where a death is charged to it (``BrokerCore/WorkerExit/died``).
    public var isolateAfterLosses = 2
    public var retryBaseMillis: UInt64 = 500
    public var retryCapMillis: UInt64 = 60_000
    /// Most credit plus jobs in flight one worker may hold (`--max-credit`); beyond it `ERR`.
    public var maxCredit = 1000
    /// Most body bytes in flight to one worker: a worker that stops reading holds no more.
    public var maxWorkerBytes = 16 << 20
    /// Most bytes of one message on the front endpoint (all frames together).
    public var maxMessageBytes = 16 << 20
    /// CURVE keys and allow-lists (`--curve-key`, `--producers`, `--workers`); nil: no CURVE.
    public var access: CurveServerAccess?
    /// This broker's keys as a client of a CURVE collector intake.
    public var collectorCurve: CurveClientKeys?
    /// Keys allowed to run admin commands (`--operators`). Without CURVE anyone who reaches
    /// the front endpoint may.
    public var operators: KeyDirectory?
    /// How a dead letter's body is shown (`karez dlq show`): personal data replaced per kind.
    /// The default withholds every body; `karez broker` passes the kinds' redaction.
    public var redactBody: @Sendable (_ kind: String, _ body: [UInt8]) -> [UInt8] = { _, body in
        Array("{\"withheld\":\"\(body.count) bytes\"}".utf8)
    }
    /// A waiting item's priority rises by one for every this many milliseconds it waited (up
    /// to 9), so lower priorities never starve (`--priority-aging-ms`).
    public var priorityAgingMillis: UInt64 = 5_000
    /// A step of the loop that holds it this long or longer is counted and logged
    /// (``StallWatch``, `--stall-ms`).
    public var stallMillis = 20
    /// Most jobs in one JOB message.
    public var maxJobsPerMessage = 256
    /// The collector's metrics intake (`tcp://HOST:7702`); nil sends no metrics.
    public var collector: String?
    public init() {}

    /// Bounds of one front message: an envelope, the command and `max_batch` items (four frames
    /// each with `PUBX`), and
    /// ``maxMessageBytes`` (or one item of ``maxItemBytes`` with room to spare, if larger).
    public var frontMessageLimits: MessageLimits {
        MessageLimits(maxFrames: 8 + 2 + 4 * FrontRequest.maxBatch, maxBytes: max(maxMessageBytes, maxItemBytes + (64 << 10)))
    }

    /// Bounds of one worker message (after its routing id): `DONE`/`EXTEND` of every job it may
    /// hold and 16 more frames, 1 MiB.
    public var backMessageLimits: MessageLimits {
        MessageLimits(maxFrames: 1 + 2 + maxCredit + 16, maxBytes: 1 << 20)
    }
}
