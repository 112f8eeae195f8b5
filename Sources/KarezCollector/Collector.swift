import Foundation
import Hummingbird
import KarezDomain
import KarezProtocol
import KarezStore
import KarezWire
import Logging
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// Settings of `karez collector` (and of the collector inside `karez up`).
public struct CollectorSettings: Sendable {
    /// Where brokers, workers and the bench push snapshots.
    public var intake = "tcp://127.0.0.1:7702"
    /// HTTP address of /metrics, /api/summary, /api/report and the dashboard.
    public var httpHost = "127.0.0.1"
    public var httpPort = 7780
    /// Folder of `collector-state.json`; nil keeps totals in memory only.
    public var dataDirectory: URL?
    /// Seconds between saves of the state.
    public var saveEvery = 2.0
    /// CURVE on the intake: snapshots only from allowed keys (endpoint `intake`).
    public var access: CurveServerAccess?
    /// Most metric sources kept (`--max-sources`).
    public var maxSources = 1000
    /// The bearer token `/api/*` and the dashboard require; nil: none.
    public var httpToken: String?
    /// Serve `/metrics` without the token.
    public var metricsPublic = false
    public init() {}
}

/// The collector: aggregates metrics snapshots, keeps the totals across its restarts, and
/// serves them over HTTP. Domain figures come from the store's totals when a store is given
/// (exact under redelivery and killed workers), else from the workers' domain counters.
public final class Collector: Sendable {
    let state: CollectorStateBox
    private let intake: MetricsIntake
    private let store: (any Store)?
    private let settings: CollectorSettings
    private let httpBound = Mutex<Int?>(nil)
    private let group = Mutex<(group: ServiceGroup?, stopped: Bool)>((nil, false))

    /// Restores saved totals and binds the intake; ``services(onListening:)`` (or ``serve(onListening:)``) then run it and HTTP.
    public init(settings: CollectorSettings, store: (any Store)?, context: Context) throws {
        var aggregator = Aggregator()
        var saveTo: URL?
        if let dir = settings.dataDirectory {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            saveTo = dir.appendingPathComponent("collector-state.json")
            try CollectorState.load(from: saveTo!, into: &aggregator)
        }
        aggregator.limits.maxSources = settings.maxSources
        state = CollectorStateBox(aggregator)
        intake = try MetricsIntake(context: context, endpoint: settings.intake, access: settings.access, state: state, saveTo: saveTo, saveEvery: settings.saveEvery)
        self.store = store
        self.settings = settings
    }

    /// The intake endpoint actually bound.
    public var intakeEndpoint: String { intake.endpoint }
    /// The HTTP port actually bound, once ``serve()`` is listening.
    public var httpPort: Int? { httpBound.withLock { $0 } }

    /// The collector's parts as services, intake first: in a `ServiceGroup` (which stops its
    /// services in reverse order) HTTP stops before the intake, which then takes in the last
    /// snapshots still queued and saves the totals. `onListening` gets the HTTP port.
    public func services(onListening: @escaping @Sendable (Int) -> Void = { _ in }) -> [any Service] {
        [intake, httpServer(onListening: onListening)]
    }

    /// Runs ``services(onListening:)`` in a group of its own until ``stop()`` (for in-process
    /// users such as `karez bench`; commands put the services in their own group).
    public func serve(onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        var logger = Logger(label: "karez-collector")
        logger.logLevel = .warning
        let services = ServiceGroup(configuration: .init(
            services: services(onListening: onListening).map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            logger: logger))
        let stopped = group.withLock { g -> Bool in
            g.group = services
            return g.stopped
        }
        if stopped { return }
        try await services.run()
    }

    /// Stops what ``serve(onListening:)`` runs, gracefully.
    public func stop() async {
        let services = group.withLock { g -> ServiceGroup? in
            g.stopped = true
            return g.group
        }
        await services?.triggerGracefulShutdown()
    }

    /// The HTTP server: /metrics, /api/summary, /api/report, /health and the dashboard.
    private func httpServer(onListening: @escaping @Sendable (Int) -> Void) -> some Service {
        var logger = Logger(label: "karez-collector")
        logger.logLevel = .warning
        let router = Router()
        if let token = settings.httpToken {
            router.add(middleware: BearerTokenMiddleware(token: token, openPaths: settings.metricsPublic ? ["/health", "/metrics"] : ["/health"]))
        }
        router.get("/metrics") { _, _ in
            Self.text(await self.prometheus(), type: PrometheusText.contentType)
        }
        router.get("/api/summary") { _, _ in
            Self.text(JSONWriter.string(await self.summary()), type: "application/json")
        }
        router.get("/api/report") { request, _ in
            let report = await self.report()
            switch request.uri.queryParameters.get("format") ?? "json" {
            case "text": return Self.text(ReportText.render(report, markdown: false), type: "text/plain; charset=utf-8")
            case "markdown": return Self.text(ReportText.render(report, markdown: true), type: "text/markdown; charset=utf-8")
            default: return Self.text(JSONWriter.string(report.json) + "\n", type: "application/json")
            }
        }
        router.get("/") { _, _ in Self.text(DashboardPage.html, type: "text/html; charset=utf-8") }
        router.get("/health") { _, _ in Self.text("ok\n", type: "text/plain") }
        let app = Application(router: router,
                              configuration: .init(address: .hostname(settings.httpHost, port: settings.httpPort), serverName: "karez-collector"),
                              onServerRunning: { [self] channel in
                                  let port = channel.localAddress?.port ?? 0
                                  httpBound.withLock { $0 = port }
                                  onListening(port)
                              },
                              logger: logger)
        return HTTPServer(app: app, address: "\(settings.httpHost):\(settings.httpPort)")
    }

    static func text(_ s: String, type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: s)))
    }

    /// Reads the aggregated metrics (for in-process users such as `karez bench`).
    public func aggregate<T>(_ body: (Aggregator) -> T) -> T { state.read(body) }

    /// The Prometheus exposition.
    public func prometheus() async -> String {
        let (aggregate, facts) = await view()
        return PrometheusText.render(aggregate, now: Date().timeIntervalSince1970, domainFacts: facts)
    }

    /// The `/api/summary` body.
    public func summary() async -> JSONValue {
        let (aggregate, facts) = await view()
        return Summary.json(aggregate, now: Date().timeIntervalSince1970, report: report(aggregate, facts))
    }

    /// The domain report: from the store's totals, or from the workers' counters without a store.
    public func report() async -> DomainReport {
        let (aggregate, facts) = await view()
        return report(aggregate, facts)
    }

    private func report(_ aggregate: Aggregator, _ storeFacts: [DomainFact]?) -> DomainReport {
        if let storeFacts { return DomainReport(facts: storeFacts, origin: store?.displayURL ?? "store") }
        let facts = aggregate.totals.counters.compactMap { key, value -> DomainFact? in
            guard key.name.hasPrefix("domain_"), key.name.hasSuffix("_total") else { return nil }
            return DomainFact(String(key.name.dropFirst(7).dropLast(6)), key.labelDictionary, value)
        }
        return DomainReport(facts: facts, origin: "metrics snapshots (approximate: no store given)")
    }

    /// What one response shows: the aggregated counters as they are now, and the store's domain
    /// totals read after that (nil without a store, or when it cannot be read). A worker commits
    /// before it counts an item stored, and the broker counts it done only after that, so the
    /// figures never lag the counters shown beside them (they may be ahead, by what was
    /// committed and not yet reported).
    private func view() async -> (Aggregator, [DomainFact]?) {
        let aggregate = state.read { $0 }
        guard let store else { return (aggregate, nil) }
        do {
            return (aggregate, try await store.totals())
        } catch {
            Logger(label: "karez.collector").error("cannot read the store's totals", metadata: ["error": "\(error)"])
            return (aggregate, nil)
        }
    }
}

/// The HTTP server as a `Service` whose failure says which address and flag.
private struct HTTPServer<App: Service>: Service {
    let app: App
    let address: String

    func run() async throws {
        do { try await app.run() } catch let error as CancellationError { throw error } catch {
            throw CollectorError(.endpoint, "cannot serve HTTP on \(address): \(error); is another collector running? (--http-host, --http-port)")
        }
    }
}
