import ArgumentParser
import Foundation
import KarezCollector
import KarezStore
import ZeroMQ

/// Flags shared by `karez collector` and `karez up`.
struct CollectorOptions: ParsableArguments {
    @Option(help: "Endpoint brokers, workers and benches push metrics to.")
    var intake = "tcp://*:7702"

    @Option(help: "HTTP port of /metrics, /api/summary, /api/report and the dashboard.")
    var httpPort = 7780

    @Option(help: "HTTP address to listen on.")
    var httpHost = "0.0.0.0"

    func settings(data: String) -> CollectorSettings {
        var s = CollectorSettings()
        s.intake = intake
        s.httpPort = httpPort
        s.httpHost = httpHost
        s.dataDirectory = URL(fileURLWithPath: data)
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
            from --store, exact under redelivery; with --store none, from the workers' counters.
            """)

    @OptionGroup var options: CollectorOptions

    @Option(help: "Folder of the collector's saved totals.")
    var data = "./karez-data"

    @Option(help: "Store whose totals the domain report reads (sqlite:PATH, postgres://…, or none).")
    var store = StoreURL.defaultURL

    func run() async throws {
        let store = self.store == "none" ? nil : try await openStore(self.store)
        let collector: Collector
        do { collector = try Collector(settings: options.settings(data: data), store: store, context: try Context()) } catch {
            throw failure("karez collector", error)
        }
        try await CollectorRunner.serve(collector, host: options.httpHost) { url in
            say("karez collector: intake \(collector.intakeEndpoint), dashboard \(url), Prometheus \(url)metrics, store \(store?.displayURL ?? "none")")
        }
        await store?.close()
        say("karez collector: stopped; totals saved in \(data)/collector-state.json")
    }
}

/// Runs a collector's HTTP server until SIGINT/SIGTERM.
enum CollectorRunner {
    static func serve(_ collector: Collector, host: String, onListening: @escaping @Sendable (String) -> Void) async throws {
        let task = Task {
            try await collector.serve { port in
                onListening("http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)/")
            }
        }
        Signals.onTerminate { Task { await collector.stop() } }
        do { try await task.value } catch {
            throw failure("karez collector", "\(error) (is --http-port in use?)")
        }
    }
}
