import Foundation
import KarezBroker
import KarezClient
import KarezCollector
import KarezDomain
import KarezProtocol
import KarezStore
import KarezTestSupport
import KarezWorker
import Testing
import ZeroMQ

/// A fourth kind that exists only in this test target: parcels with a depot and a weight. Its
/// processor validates, enriches and emits one `parcels` fact per parcel; its descriptor adds a
/// "Parcels per depot" table to the report and the dashboard.
struct ParcelProcessor: KindProcessor {
    let kind = "parcel"

    func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let id = body["id"]?.stringValue
        guard let id else { return .failure(ErrorBody(kind: kind, path: "/id", code: "required", message: "a parcel needs an id")) }
        guard let depot = body["depot"]?.stringValue, !depot.isEmpty else {
            return .failure(ErrorBody(id: id, kind: kind, path: "/depot", code: "required", message: "a parcel needs a depot"))
        }
        guard let kg = body["kg"]?.numberValue, kg > 0, kg <= 1000 else {
            return .failure(ErrorBody(id: id, kind: kind, path: "/kg", code: "range", message: "kg must be above 0 and at most 1000"))
        }
        return .success(ProcessedItem(id: id, kind: kind, bodyJSON: JSONWriter.bytes(body),
                                      enrichmentJSON: JSONWriter.bytes(["heavy": .bool(kg > 20)]),
                                      facts: [DomainFact("parcels", ["depot": depot]), DomainFact("parcel_kg", ["depot": depot], kg)]))
    }
}

extension KindDescriptor {
    /// The whole of the fourth kind, registered in one line below.
    static let parcel = KindDescriptor(processor: ParcelProcessor(), report: [
        .grouped(key: "parcels", title: "Parcels per depot", fact: "parcels", by: "depot", column: "depot", total: "parcels"),
    ])
}

@Suite("A kind is one folder: a fourth kind registered by a test flows through broker, worker, store, report and dashboard")
struct FourthKindTests {
    @Test(.enabled(if: chromiumBinary != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "needs headless Chromium for the dashboard (make test installs Debian's chromium; with CI=true it is required)"))
    func parcelsFlowEndToEnd() async throws {
        KindRegistry.register(.parcel)
        let dir = ScratchFolder.make("fourth-kind")
        let context = try Context()
        let store = try await openStore("sqlite:\(dir.path)/karez.sqlite")

        var collectorSettings = CollectorSettings()
        collectorSettings.intake = "tcp://127.0.0.1:*"
        collectorSettings.httpPort = 0
        collectorSettings.dataDirectory = dir.appendingPathComponent("collector")
        let collector = try Collector(settings: collectorSettings, store: store, context: context)
        let serving = Task { try await collector.serve() }

        var brokerSettings = BrokerSettings()
        brokerSettings.kinds = Set(KindRegistry.kindNames)
        brokerSettings.collector = collector.intakeEndpoint
        let broker = BrokerService(front: "tcp://127.0.0.1:*", back: "tcp://127.0.0.1:*", dataDirectory: dir.appendingPathComponent("broker"),
                                   settings: brokerSettings, context: context)
        let brokering = Task { try await broker.run() }
        let (front, back) = try await broker.listeningEndpoints()

        var workerSettings = WorkerSettings()
        workerSettings.name = "parcel-worker"
        workerSettings.collector = collector.intakeEndpoint
        let worker = Worker(broker: back, store: store, settings: workerSettings, pseudonymizer: .development, zmq: context)
        let working = Task { try await worker.run() }

        let depots = ["Turpan": 60, "Hami": 30, "Kashgar": 10]
        var items = depots.flatMap { depot, n in
            (0..<n).map { i in PublishedItem(id: "parcel-\(depot)-\(i)", kind: "parcel", body: JSONWriter.bytes(["id": .string("parcel-\(depot)-\(i)"), "depot": .string(depot), "kg": .number(Double(i % 40 + 1))])) }
        }
        items.append(PublishedItem(id: "parcel-weightless", kind: "parcel", body: JSONWriter.bytes(["id": "parcel-weightless", "depot": "Hami", "kg": 0])))
        let toPublish = items
        let summary = try await withCheckedThrowingContinuation { (c: CheckedContinuation<Publisher.Summary, any Error>) in
            Thread { c.resume(with: Result { try Publisher(context: context, endpoint: front).publish(toPublish) { _ in } }) }.start()
        }
        #expect(summary.acknowledged == 101, "\(summary)")

        // Stored and rejected by the worker, with its facts in the store's totals.
        let settled = try await eventually(timeout: .seconds(60)) {
            let (stored, refused) = (try await store.count(kind: "parcel", rejected: false), try await store.count(kind: "parcel", rejected: true))
            return stored == 100 && refused == 1
        }
        #expect(settled, "100 parcels stored and 1 rejected")
        let heavy = try #require(try await store.record(kind: "parcel", id: "parcel-Turpan-39", rejected: false))
        #expect(heavy.detail.contains("\"heavy\":true"), "\(heavy.detail)")
        let rejected = try #require(try await store.record(kind: "parcel", id: "parcel-weightless", rejected: true))
        #expect(rejected.detail.contains("/kg"), "\(rejected.detail)")
        let totals = try await store.totals().filter { $0.name == "parcels" }
        #expect(Dictionary(totals.map { ($0.labels["depot"] ?? "", Int($0.value)) }, uniquingKeysWith: +) == depots)

        // The report: JSON and text.
        let report = await collector.report()
        let section = try #require(report.sections.first { $0.key == "parcels" })
        #expect(section.table.columns == ["depot", "parcels"])
        #expect(section.table.rows == [["Turpan", "60"], ["Hami", "30"], ["Kashgar", "10"]])
        #expect(report.json["sections"]?.arrayValue?.contains { $0["key"] == "parcels" } == true)
        let text = ReportText.render(report, markdown: false)
        #expect(text.contains("Parcels per depot") && text.contains("Turpan"), "\(text)")

        // The dashboard, in a real browser, draws the kind's table from /api/summary.
        let port = try #require(collector.httpPort)
        let dom = try await chromium(["--dump-dom", "http://127.0.0.1:\(port)/"])
        #expect(dom.contains("Parcels per depot") && dom.contains("Kashgar"), "the dashboard has no parcel table")

        await worker.stop()
        try await working.value
        brokering.cancel()
        try await brokering.value
        #expect(broker.stats.done == 100 && broker.stats.dead == 1, "\(broker.stats)")
        await collector.stop()
        try await serving.value
        await store.close()
    }
}
