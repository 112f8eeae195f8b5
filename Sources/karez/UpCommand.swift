import ArgumentParser
import Foundation
import ServiceLifecycle
import KarezCollector
import KarezDomain
import KarezStore
import KarezWorker
import ZeroMQ

/// `karez up`: every role in one process, for one machine.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run a broker, workers and the collector in one process with a SQLite store in ./karez-data.",
        discussion: """
            Prints its endpoints and the dashboard URL. Ctrl-C (or SIGTERM) stops its parts in \
            turn: the workers finish what they hold, the broker syncs its journal, the collector \
            saves its totals; then it exits 0.
            """)

    @OptionGroup var options: BrokerOptions

    @OptionGroup var collectorOptions: CollectorOptions

    @Flag(help: "Run no collector here (broker and workers push metrics to --collector instead).")
    var noCollector = false

    @Option(help: "Workers to run in this process (0: a broker and collector only, for workers started elsewhere).")
    var workerCount = 1

    @OptionGroup var pseudonym: PseudonymOptions

    @OptionGroup(title: "Logging") var log: LogOptions

    func validate() throws {
        guard workerCount >= 0 else { throw ValidationError("--worker-count must be 0 or more, got \(workerCount)") }
    }

    @Option(help: "Store URL (default: sqlite:DATA/karez.sqlite).")
    var store: String?

    func run() async throws {
        log.apply()
        let brokerSettings = try options.secureSettings(who: "karez up", inProcess: true)
        var collectorSettings = try collectorOptions.settings(data: options.data, who: "karez up", insecure: options.security.insecure)
        collectorSettings.access = brokerSettings.access
        if !noCollector {
            try checkExposure([("--intake", collectorOptions.intake)], curve: brokerSettings.access != nil, insecure: options.security.insecure, who: "karez up")
        }
        let pseudonymizer = workerCount > 0 ? try pseudonym.load(who: "karez up") : .development
        let context = try options.makeContext()
        let storeURL = store ?? "sqlite:\(options.data)/karez.sqlite"
        let store = try await openStore(storeURL)
        var metricsTarget = options.metrics.target
        var collector: Collector?
        if !noCollector {
            do { collector = try Collector(settings: collectorSettings, store: store, context: context) } catch {
                throw failure("karez up", error)
            }
            metricsTarget = collector.map { Self.local($0.intakeEndpoint) }
        }
        var settings = brokerSettings
        // The in-process broker and workers push metrics with the broker's own (trusted) key.
        if let access = settings.access, !noCollector { settings.collectorCurve = access.ownClientKeys }
        let broker = options.makeBroker(context: context, settings: settings, collector: metricsTarget)
        let (count, curve, target) = (workerCount, brokerSettings.access?.ownClientKeys, metricsTarget)
        let workers = WorkerPool(backEndpoint: { Self.local(try await broker.listeningEndpoints().back) }) { back in
            (0..<count).map { i in
                var settings = WorkerSettings()
                settings.name = "up-worker-\(i + 1)"
                settings.collector = target
                settings.curve = curve
                settings.collectorCurve = curve
                return Worker(broker: back, store: store, settings: settings, pseudonymizer: pseudonymizer, zmq: context)
            }
        }
        let metricsShown = metricsTarget ?? "none", storeShown = store.displayURL
        let banner = Announcement {
            let (front, back) = try await broker.listeningEndpoints()
            return "karez up: publish to \(Self.local(front)), workers on \(Self.local(back)), store \(storeShown), metrics to \(metricsShown); Ctrl-C to stop"
        }
        // Stopped in reverse order: workers drain, the broker syncs its journal and sends its
        // last snapshot, then HTTP stops and the intake takes what is queued and saves.
        let dashboard: [any Service] = collector?.services { port in
            say("karez up: dashboard http://127.0.0.1:\(port)/ (Prometheus /metrics, /api/summary, /api/report)")
        } ?? []
        try await ServiceRunner.run([banner] + dashboard + [broker] + (workerCount > 0 ? [workers] : []), who: "karez up")
        let done = workers.totals
        say("karez up: stopped; stored \(done.stored), rejected \(done.rejected) in this run")
        await store.close()
    }

    /// A bound wildcard endpoint as a local address to connect to.
    static func local(_ endpoint: String) -> String {
        endpoint.replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1").replacingOccurrences(of: "//*:", with: "//127.0.0.1:")
    }
}
