import ArgumentParser
import Foundation
import KarezCollector
import KarezStore
import KarezWire
import Logging
import ZeroMQ

/// Flags shared by `karez collector` and `karez up`.
struct CollectorOptions: ParsableArguments {
    @Option(help: "Endpoint brokers, workers and benches push metrics to (beyond loopback: needs CURVE or --insecure).")
    var intake = "tcp://127.0.0.1:7702"

    @Option(help: "HTTP port of /metrics, /api/summary, /api/report and the dashboard.")
    var httpPort = 7780

    @Option(help: "HTTP address to listen on (beyond loopback, /api and the dashboard need --http-token-file).")
    var httpHost = "127.0.0.1"

    @Option(help: ArgumentHelp("File holding the bearer token that /api/* and the dashboard require (Authorization: Bearer TOKEN, or ?token=TOKEN).", valueName: "file"))
    var httpTokenFile: String?

    @Flag(help: "Serve /metrics without the token (for a Prometheus that scrapes without one).")
    var metricsPublic = false

    @Option(help: "Most metric sources (processes) kept; snapshots of further sources are refused.")
    var maxSources = 1000

    func validate() throws {
        guard (0...65535).contains(httpPort) else { throw ValidationError("--http-port must be a port from 0 to 65535 (0: any free port), got \(httpPort)") }
    }

    /// Settings with the token read; refuses HTTP beyond loopback without a token, unless `insecure`.
    func settings(data: String, who: String, insecure: Bool) throws -> CollectorSettings {
        var s = CollectorSettings()
        s.intake = intake
        s.httpPort = httpPort
        s.httpHost = httpHost
        s.dataDirectory = URL(fileURLWithPath: data)
        s.maxSources = max(1, maxSources)
        s.metricsPublic = metricsPublic
        if let httpTokenFile {
            do { s.httpToken = try HTTPToken.read(httpTokenFile) } catch { throw failure(who, error) }
        } else if !EndpointAddress.isLoopbackHost(httpHost) {
            guard insecure else {
                throw failure(who, "--http-host \(httpHost) serves beyond this machine: give --http-token-file (a file with a secret token), bind 127.0.0.1, or pass --insecure")
            }
            warn("\(who): WARNING: HTTP on \(httpHost) without a token (--insecure): anyone who reaches it reads the dashboard and /api")
        }
        return s
    }
}

/// `karez collector`: aggregates metrics and serves them.
struct CollectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collector",
        abstract: "Run the collector: aggregate metrics, serve Prometheus /metrics, /api/summary, /api/report and a live dashboard.",
        discussion: """
            Brokers and workers push a snapshot a second to --intake. Totals survive restarts \
            (DATA/collector-state.json). Domain figures (patients seen, agreements, stories) come \
            from --store, exact under redelivery; with --store none, from the workers' counters. \
            SIGTERM/SIGINT stop HTTP, take in the snapshots still queued, save the totals and exit 0.
            """)

    @OptionGroup var options: CollectorOptions

    @Option(help: ArgumentHelp("The collector's secret key (NAME.key): CURVE on the intake.", valueName: "file"))
    var curveKey: String?

    @Option(help: ArgumentHelp("Folder of *.pub keys allowed to push metrics (with --curve-key).", valueName: "dir"))
    var senders: String?

    @Flag(help: "Allow an intake or HTTP address beyond loopback without CURVE or a token.")
    var insecure = false

    @OptionGroup(title: "Logging") var log: LogOptions

    func validate() throws {
        if (curveKey == nil) != (senders == nil) { throw ValidationError("--curve-key and --senders go together: the collector's secret key and the folder of allowed *.pub keys") }
    }

    @Option(help: "Folder of the collector's saved totals.")
    var data = "./karez-data"

    @Option(help: "Store whose totals the domain report reads (sqlite:PATH, postgres://…, or none).")
    var store = StoreURL.defaultURL

    @OptionGroup var password: StorePasswordOption

    func run() async throws {
        log.apply()
        var settings = try options.settings(data: data, who: "karez collector", insecure: insecure)
        if let curveKey, let senders {
            do {
                let pair = try CurveKeyFile.readKeyPair(curveKey)
                settings.access = CurveServerAccess(keyPair: pair, allowed: ["intake": [try KeyDirectory(path: senders)]], logger: Logger(label: "karez.collector.auth"))
            } catch { throw failure("karez collector", error) }
        }
        try checkExposure([("--intake", options.intake)], curve: settings.access != nil, insecure: insecure, who: "karez collector")
        let store = self.store == "none" ? nil : try await password.open(self.store)
        let collector: Collector
        do { collector = try Collector(settings: settings, store: store, context: try Context()) } catch {
            throw failure("karez collector", error)
        }
        let host = options.httpHost == "0.0.0.0" ? "127.0.0.1" : options.httpHost
        let intake = collector.intakeEndpoint, storeShown = store?.displayURL ?? "none"
        try await ServiceRunner.run(collector.services { port in
            let url = "http://\(host):\(port)/"
            say("karez collector: intake \(intake), dashboard \(url), Prometheus \(url)metrics, store \(storeShown)")
        }, who: "karez collector")
        await store?.close()
        say("karez collector: stopped; totals saved in \(data)/collector-state.json")
    }
}
