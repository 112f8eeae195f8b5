import Foundation
import KarezProtocol
import KarezWire

/// What a `karez bench` load run does (its flags).
public struct LoadSettings: Sendable, Codable {
    /// `noop` (workers acknowledge without processing), `patient`, `lead` or `news`.
    public var kind = "patient"
    /// JSON-lines file of items to publish instead of generated ones (cycled with fresh ids).
    public var file: String?
    /// Items to publish (all producers together); nil with a duration.
    public var count: Int?
    /// Seconds to publish for; nil with a count.
    public var duration: Double?
    /// Open loop: items per second (all producers together); nil = closed loop.
    public var rate: Double?
    /// Open loop: the rate ramps linearly from ``rate`` to this by the end of the run.
    public var rampTo: Double?
    public var producers = 1
    /// Closed loop: most items unacknowledged per producer (open loop: a memory bound).
    public var window = 20_000
    /// Pad generated items to about this many bytes; nil keeps their natural size.
    public var itemBytes: Int?
    /// Items per `PUBW` message.
    public var batch = 100
    /// Publish packed (`PACK PUBW`, PROTOCOL.md 2.5) and have the workers take packed jobs.
    public var pack = true
    /// Workers of the bench's own Karez.
    public var workers = 2
    /// Brokers of the bench's own Karez (a partitioned set when more than one).
    public var brokers = 1
    public var fsync = "batch"
    /// A running broker's front endpoint, or a partitioned set's, comma-separated; nil starts the
    /// bench's own Karez (child processes).
    public var broker: String?
    /// The store of a running Karez, to check that every acknowledged item was stored.
    public var store: String?
    public var killWorkerEvery: Double?
    public var killBrokerAt: Double?
    /// Seconds to wait for the last items to finish after publishing.
    public var drainSeconds = 120.0
    /// A broker that answers nothing (not even `PING`) for this long ends the run with an error.
    public var silenceSeconds = 30.0
    /// Names this run's ids (`bench-RUN-pN-i`), so several producers' results can be merged.
    public var runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    /// Items spread over this many priorities (`PUBX`); 1: all priority 0, published with `PUB`.
    public var priorities = 1
    /// Every item delayed this many milliseconds (`PUBX` `delay_ms`); 0: none.
    public var delayMillis: UInt64 = 0

    /// The bench's own Karez runs with CURVE on front and back (keys made for the run).
    public var curve = false
    /// With ``broker``: this producer's secret key file and the broker's public key file.
    public var curveKey: String?
    public var serverKey: String?

    public init() {}

    /// The CURVE keys given by ``curveKey`` and ``serverKey``, or nil.
    func clientKeys() throws -> CurveClientKeys? {
        guard let curveKey, let serverKey else { return nil }
        return try CurveClientKeys(keyFile: curveKey, serverKeyFile: serverKey)
    }

    /// The brokers of ``broker`` in order (a partitioned set when several).
    func brokerEndpoints() throws -> [String] {
        guard let broker else { throw LoadError("no --broker given") }
        do { return try EndpointList.parse(broker) } catch { throw LoadError("--broker: \(error)") }
    }

    /// True when the run is at a fixed (or ramped) rate.
    public var openLoop: Bool { rate != nil }
    /// The kind on the wire (noop items are patient records the workers skip).
    public var wireKind: String { kind == "noop" ? "patient" : kind }
}
