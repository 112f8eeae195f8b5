import ArgumentParser
import Foundation
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
            Prints its endpoints and the dashboard URL; Ctrl-C (or SIGTERM) stops intake, lets \
            workers finish, syncs the journal, saves the collector's totals and exits.
            """)

    @OptionGroup var options: BrokerOptions

    @OptionGroup var collectorOptions: CollectorOptions

    @Flag(help: "Run no collector here (broker and workers push metrics to --collector instead).")
    var noCollector = false

    @Option(help: "Workers to run in this process (0: a broker and collector only, for workers started elsewhere).")
    var workerCount = 1

    @OptionGroup var pseudonym: PseudonymOptions

    @OptionGroup(title: "Logging") var log: LogOptions

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
        var metricsTarget = options.collector == "none" ? nil : options.collector
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
        do { try broker.start() } catch { throw failure("karez up", error) }
        let (front, back) = broker.boundEndpoints
        let connect = Self.local(back)
        var running: [Worker] = []
        for i in 0..<workerCount {
            var settings = WorkerSettings()
            settings.name = "up-worker-\(i + 1)"
            settings.collector = metricsTarget
            settings.curve = brokerSettings.access?.ownClientKeys
            settings.collectorCurve = settings.curve
            running.append(Worker(broker: connect, store: store, settings: settings, pseudonymizer: pseudonymizer, zmq: context))
        }
        let metricsCollector = collector
        let dashboard = Task {
            try await metricsCollector?.serve { port in
                say("karez up: dashboard http://127.0.0.1:\(port)/ (Prometheus /metrics, /api/summary, /api/report)")
            }
        }
        let all = running
        let (terminated, terminate) = AsyncStream<Void>.makeStream()
        // The handler is in place before the banner says Ctrl-C works.
        Signals.onTerminate {
            terminate.finish()
            Task { for w in all { await w.stop() } }
        }
        say("karez up: publish to \(Self.local(front)), workers on \(connect), store \(store.displayURL), metrics to \(metricsTarget ?? "none"); Ctrl-C to stop")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in running { group.addTask { try await w.run() } }
            // With no workers here, run until Ctrl-C or SIGTERM.
            if running.isEmpty { group.addTask { for await _ in terminated {} } }
            try await group.waitForAll()
        }
        broker.stop()
        // The broker's and workers' last snapshots are on their way: give them a moment.
        try? await Task.sleep(for: .milliseconds(300))
        await metricsCollector?.stop()
        if case .failure(let error) = await dashboard.result, !(error is CancellationError) {
            warn("karez up: the collector's HTTP server failed: \(error) (is --http-port in use?)")
        }
        let stored = running.map(\.stats.stored).reduce(0, +), rejected = running.map(\.stats.rejected).reduce(0, +)
        say("karez up: stopped; stored \(stored), rejected \(rejected) in this run")
        await store.close()
    }

    /// A bound wildcard endpoint as a local address to connect to.
    static func local(_ endpoint: String) -> String {
        endpoint.replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1").replacingOccurrences(of: "//*:", with: "//127.0.0.1:")
    }
}
