import ArgumentParser
import Foundation
import KarezBroker
import KarezDomain
import ZeroMQ

/// Flags shared by `karez broker` and `karez up`.
struct BrokerOptions: ParsableArguments {
    @Option(help: "Endpoint producers publish to (tcp://*:7700 for every interface: needs CURVE or --insecure).")
    var front = "tcp://127.0.0.1:7700"

    @Option(help: "Endpoint workers connect to.")
    var back = "tcp://127.0.0.1:7701"

    @Option(help: "Folder of the journal and the dead-letter file.")
    var data = "./karez-data"

    @Option(help: "This broker's name in PONG and in the collector's process list (default: karez-broker@HOST:FRONT-PORT); each broker of a partitioned set needs its own.")
    var name: String?

    @Option(help: "When to acknowledge: always (fsync each PUB), batch (group commit), never (written, not synced).")
    var fsync: String = FsyncPolicy.batch.rawValue

    @Option(help: "Most items accepted and not yet done; beyond it producers get BUSY.")
    var maxQueued = 1_000_000

    @Option(help: "Largest item body in bytes.")
    var maxItemBytes = 1 << 20

    @Option(help: "Seconds an id stays in the dedup window.")
    var dedupWindow = 600

    @Option(help: "Most ids the dedup window holds (about 120 bytes each); beyond it the oldest are forgotten early.")
    var dedupMax = 10_000_000

    @Option(help: "Milliseconds a worker has to finish a job before it is redelivered.")
    var leaseMs = 30_000

    @Option(help: "Deliveries of an item before it goes to the dead-letter list.")
    var maxAttempts = 5

    @Option(help: "A waiting item's priority rises one level every this many milliseconds (up to 9), so lower priorities never starve: at most 9 times this behind any stream of priority 9.")
    var priorityAgingMs = 5_000

    @Option(help: "A step of the broker's loop that holds it this many milliseconds or more (a journal sync, a burst of reading…) is counted in broker_loop_stalls_total{step} and logged with its name.")
    var stallMs = 20

    @Option(help: "ZeroMQ I/O threads: with 2, producer and worker traffic are encoded on separate threads.")
    var ioThreads = 2

    @OptionGroup var metrics: MetricsTargetOptions

    @Option(help: "Most credit plus jobs in flight per worker; a CREDIT beyond it is answered ERR credit_limit.")
    var maxCredit = 1000

    @OptionGroup(title: "Security")
    var security: BrokerSecurityOptions

    func validate() throws {
        if let name, name.isEmpty || name.utf8.count > 128 { throw ValidationError("--name must be 1 to 128 bytes") }
        guard FsyncPolicy(rawValue: fsync) != nil else { throw ValidationError("--fsync must be always, batch or never, got \(fsync)") }
        guard maxQueued > 0, maxItemBytes > 0, dedupWindow >= 0, dedupMax > 0, leaseMs >= 100, maxAttempts >= 1, maxCredit >= 1, priorityAgingMs >= 1, stallMs >= 1 else {
            throw ValidationError("--max-queued, --max-item-bytes, --dedup-max, --max-credit, --priority-aging-ms and --stall-ms must be positive, --lease-ms at least 100, --max-attempts at least 1")
        }
    }

    var settings: BrokerSettings {
        var s = BrokerSettings()
        s.name = name ?? "karez-broker@\(ProcessInfo.processInfo.hostName):\(front.split(separator: ":").last ?? "")"
        s.kinds = Set(KindRegistry.kindNames)
        s.fsync = FsyncPolicy(rawValue: fsync) ?? .batch
        s.maxQueuedItems = maxQueued
        s.maxItemBytes = maxItemBytes
        s.dedupWindowMillis = UInt64(dedupWindow) * 1000
        s.dedupMaxIDs = dedupMax
        s.leaseMillis = UInt64(leaseMs)
        s.maxAttempts = maxAttempts
        s.priorityAgingMillis = UInt64(priorityAgingMs)
        s.stallMillis = stallMs
        s.collector = metrics.target
        s.maxCredit = maxCredit
        // Dead letters show patient bodies pseudonymised with the workers' key when this process
        // has it, else with the personal values replaced by "[redacted]".
        s.redactBody = KindRegistry.redactor(pseudonymizer: try? Pseudonymizer.load(allowDevelopmentKey: false))
        return s
    }

    /// Settings with the CURVE keys read (and checked); refuses an endpoint open beyond this
    /// machine without CURVE unless `--insecure`.
    func secureSettings(who: String, inProcess: Bool = false) throws -> BrokerSettings {
        var s = settings
        do {
            if let (access, operators) = try security.access(inProcess: inProcess) {
                (s.access, s.operators) = (access, operators)
                s.collectorCurve = try security.collectorClientKeys()
            }
        } catch let error as ExitCode { throw error } catch { throw failure(who, error) }
        try checkExposure([("--front", front), ("--back", back)], curve: s.access != nil, insecure: security.insecure, who: who)
        return s
    }

    /// The ZeroMQ context for the broker's process, with `--io-threads` I/O threads.
    func makeContext() throws -> Context {
        guard ioThreads >= 1 else { throw ValidationError("--io-threads must be at least 1") }
        return try Context(ioThreads: ioThreads)
    }

    /// A broker with these flags; `collector`, when given, replaces `--collector` (as `karez up` does).
    func makeBroker(context: Context, settings: BrokerSettings, collector: String?? = .none) -> BrokerService {
        var s = settings
        if case .some(let target) = collector { s.collector = target }
        return BrokerService(front: front, back: back, dataDirectory: URL(fileURLWithPath: data), settings: s, context: context)
    }
}

/// `karez broker`: the durable broker.
struct BrokerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "broker",
        abstract: "Run the broker: journal published items durably and hand them to workers.",
        discussion: "SIGINT/SIGTERM stop intake, sync the journal and exit 0; unfinished items are delivered again after a restart.")

    @OptionGroup var options: BrokerOptions

    @OptionGroup(title: "Logging") var log: LogOptions

    func run() async throws {
        log.apply()
        let settings = try options.secureSettings(who: "karez broker")
        let context = try options.makeContext()
        let broker = options.makeBroker(context: context, settings: settings)
        let (data, fsync) = (options.data, options.fsync)
        let banner = Announcement {
            let (front, back) = try await broker.listeningEndpoints()
            return "karez broker: front \(front) (producers), back \(back) (workers), journal \(data)/journal, fsync \(fsync), \(settings.access == nil ? "no CURVE" : "CURVE on, key \(settings.access!.keyPair.publicKey.fingerprint)")"
        }
        try await ServiceRunner.run([banner, broker], who: "karez broker")
        say("karez broker: stopped cleanly")
    }
}
