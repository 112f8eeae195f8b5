import Foundation
import KarezBroker
import KarezClient
import KarezCollector
import KarezDomain
import KarezProtocol
import KarezStore
import KarezWorker
import ZeroMQ

/// Publish → journal → worker → (validate, enrich, store →) done, in one process over loopback
/// TCP: a broker, workers and a publisher, measured until the broker has seen every item done.
public struct PipelineBenchmark: Sendable {
    public var kind: String
    public var noop: Bool
    public var count: Int
    public var workers: Int
    public var fsync: FsyncPolicy
    /// Run a collector in the process, with the broker and workers pushing metrics to it.
    public var collector = false
    /// Pad generated items to about this many bytes (nil: their natural size).
    public var itemBytes: Int?
    /// SQLite commits with `synchronous = FULL` (what workers use); false: `NORMAL`.
    public var fullSync = true

    public init(kind: String, noop: Bool, count: Int, workers: Int, fsync: FsyncPolicy) {
        (self.kind, self.noop, self.count, self.workers, self.fsync) = (kind, noop, count, workers, fsync)
    }

    /// The items: generated ones of the kind, cycled with fresh ids up to `count`.
    func items() -> [PublishedItem] {
        let generated: [JSONValue]
        if kind == "news" {
            generated = [.object(JSONObject([
                ("title", .string(ReferenceStory.title)), ("body", .string(ReferenceStory.body)),
                ("language", .string(ReferenceStory.language)), ("source", .string(ReferenceStory.source)),
                ("published_at", .string(ReferenceStory.publishedAt))]))]
        } else {
            generated = SyntheticData.items(KindRegistry[kind]?.generate == nil ? "patient" : kind, count: min(count, 5000), seed: 9)
        }
        let run = UInt32.random(in: 0...UInt32.max)
        let templates = generated.map { g in
            var o = g.objectValue ?? JSONObject()
            o["kind"] = nil
            return ItemPadding.padded(o, toBytes: itemBytes, idBytes: "bench-\(run)-\(count / 2)".utf8.count)
        }
        return (0..<count).map { i in
            var o = templates[i % templates.count]
            let id = "bench-\(run)-\(i)"
            o["id"] = .string(id)
            return PublishedItem(id: id, kind: kind, body: JSONWriter.bytes(.object(o)))
        }
    }

    /// Runs once; returns items per second, the mean body size, and the process's CPU time per
    /// item (user and system, all threads: broker, workers, publisher, ZeroMQ's I/O thread),
    /// which varies less than the rate on a shared machine.
    public func run() async throws -> (rate: Double, bodyBytes: Int, cpuMicrosPerItem: Double) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("karez-pipeline-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let context = try Context(ioThreads: 2)  // as `karez up` (and `karez broker`) by default
        var settings = BrokerSettings()
        settings.fsync = fsync
        settings.kinds = Set(KindRegistry.kindNames)
        var metrics: Collector?
        var serving: Task<Void, any Error>?
        if collector {
            var cs = CollectorSettings()
            cs.intake = "tcp://127.0.0.1:*"
            cs.httpHost = "127.0.0.1"
            cs.httpPort = 0
            cs.dataDirectory = dir.appendingPathComponent("collector")
            let c = try Collector(settings: cs, store: nil, context: context)
            settings.collector = c.intakeEndpoint
            serving = Task { try await c.serve() }
            metrics = c
        }

        let broker = BrokerService(front: "tcp://127.0.0.1:*", back: "tcp://127.0.0.1:*", dataDirectory: dir, settings: settings, context: context)
        // Outside a ServiceGroup: cancelling its task stops it as graceful shutdown would.
        let brokerTask = Task { try await broker.run() }
        let (front, back) = try await broker.listeningEndpoints()
        let store = try await openStore("sqlite:\(dir.path)/karez.sqlite\(fullSync ? "" : "?synchronous=normal")")
        var running: [Worker] = []
        for i in 0..<workers {
            var ws = WorkerSettings()
            ws.name = "bench-worker-\(i)"
            ws.noop = noop
            ws.collector = metrics?.intakeEndpoint
            running.append(Worker(broker: back, store: store, settings: ws, pseudonymizer: .development, zmq: context))
        }
        let tasks = running.map { w in Task { try await w.run() } }
        let items = self.items()
        let bytes = items.map(\.body.count).reduce(0, +) / max(1, items.count)
        let start = ContinuousClock.now
        let cpuStart = Self.processCPUSeconds()
        let publishing = PublishThread(context: context, endpoint: front, items: items)
        publishing.start()
        while broker.stats.done < count {
            try await Task.sleep(for: .milliseconds(2))
            if let error = publishing.failure { throw error }
        }
        let elapsed = ContinuousClock.now - start
        let cpu = Self.processCPUSeconds() - cpuStart
        publishing.join()
        for w in running { await w.stop() }
        for t in tasks { _ = try? await t.value }
        brokerTask.cancel()
        try await brokerTask.value
        await store.close()
        await metrics?.stop()
        _ = await serving?.result
        let (s, a) = elapsed.components
        return (Double(count) / (Double(s) + Double(a) / 1e18), bytes, cpu * 1e6 / Double(count))
    }

    /// User plus system CPU seconds of this process so far.
    static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}

/// Publishes on its own thread (the publisher's socket belongs to it).
private final class PublishThread: @unchecked Sendable {
    let context: Context
    let endpoint: String
    let items: [PublishedItem]
    private let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var error: (any Error)?

    init(context: Context, endpoint: String, items: [PublishedItem]) {
        (self.context, self.endpoint, self.items) = (context, endpoint, items)
    }

    var failure: (any Error)? { lock.lock(); defer { lock.unlock() }; return error }

    func start() {
        Thread { [self] in
            Thread.current.name = "karez-publish"
            do {
                let publisher = try Publisher(context: context, endpoint: endpoint)
                _ = try publisher.publish(items) { _ in }
            } catch {
                lock.lock(); self.error = error; lock.unlock()
            }
            done.signal()
        }.start()
    }

    func join() { done.wait() }
}
