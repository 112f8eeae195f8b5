import ArgumentParser
import Foundation
import KarezDomain
import KarezStore
import KarezWorker
import KarezProtocol
import KarezWire
import ZeroMQ

/// `karez worker`: validate, enrich and store jobs from a broker.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: take jobs from a broker, validate, enrich, store, acknowledge.",
        discussion: """
            Reconnects forever (the broker may start later or restart). Reports DONE only after the \
            store committed. Patient data is pseudonymised with KAREZ_PSEUDONYM_KEY (or \
            KAREZ_PSEUDONYM_KEY_FILE); without one it refuses to start unless --dev-key is given. \
            SIGTERM/SIGINT drain it: it asks for no more jobs, finishes and answers what it holds \
            (at most 20 s; then it leaves and the broker delivers the rest again) and exits 0. With \
            several brokers (a partitioned set), it takes work from each as if it were one worker per \
            broker (each with --credit and --concurrency of its own), under the names NAME#1, NAME#2, … \
            in the order given; one that fails to start stops them all.
            """)

    @Option(help: "The broker's back endpoint; or several brokers' back endpoints, comma-separated: work is taken from each.")
    var broker = "tcp://127.0.0.1:7701"

    @OptionGroup var store: StoreOptions

    @Option(help: "Parallel validate/enrich tasks (default: the number of cores).")
    var concurrency = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Jobs the broker may send before hearing back; credit freed by answers is asked for again a quarter of this at a time.")
    var credit = 1000

    @OptionGroup var metrics: MetricsTargetOptions

    @Option(help: "Name in the broker's and the collector's lists (default: karez-worker-PID).")
    var name: String?

    @Flag(help: "Acknowledge jobs without validating or storing them (measures the transport; karez bench --kind noop).")
    var noop = false

    @Flag(inversion: .prefixedNo, help: "Take jobs packed (PROTOCOL.md 2.5: one frame for a whole JOB message, the fast way); --no-pack asks the broker for one frame per field.")
    var pack = true

    @OptionGroup var pseudonym: PseudonymOptions

    @OptionGroup(title: "Logging") var log: LogOptions

    @OptionGroup(title: "Security")
    var security: ClientSecurityOptions

    @Option(help: ArgumentHelp("The collector's public key (its NAME.pub): push metrics over CURVE with --curve-key.", valueName: "file"))
    var collectorKey: String?

    func run() async throws {
        log.apply()
        let pseudonymizer = try pseudonym.load(who: "karez worker")
        var settings = WorkerSettings()
        do {
            settings.curve = try security.keys()
            if let collectorKey {
                guard let curveKey = security.curveKey else { throw ValidationError("--collector-key needs --curve-key (this worker's secret key)") }
                settings.collectorCurve = try CurveClientKeys(keyFile: curveKey, serverKeyFile: collectorKey)
            }
        } catch let error as ValidationError { throw error } catch { throw failure("karez worker", error) }
        let brokers = try brokerList(broker)
        let store = try await self.store.open()
        settings.concurrency = max(1, concurrency)
        settings.credit = max(1, credit)
        settings.collector = metrics.target
        settings.noop = noop
        settings.pack = pack
        if let name { settings.name = name }
        let zmq = try Context()
        // One worker per broker, each with its own socket, credit and name, sharing the store.
        let workers = brokers.enumerated().map { i, endpoint in
            var s = settings
            if brokers.count > 1 { s.name += "#\(i + 1)" }
            return Worker(broker: endpoint, store: store, settings: s, pseudonymizer: pseudonymizer, zmq: zmq)
        }
        let banner = "karez worker: broker \(brokers.joined(separator: ", ")), store \(store.displayURL), concurrency \(settings.concurrency)"
        let pool = WorkerPool(workers)
        try await ServiceRunner.run([Announcement { banner }, pool], who: "karez worker")
        let s = pool.totals
        say("karez worker: stopped; stored \(s.stored), duplicates \(s.duplicates), rejected \(s.rejected)")
        await store.close()
    }
}
