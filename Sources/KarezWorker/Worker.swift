import Foundation
import KarezDomain
import KarezProtocol
import KarezStore
import ZeroMQ
import ZeroMQLoop

/// Settings of a worker (`karez worker` flags).
public struct WorkerSettings: Sendable {
    public var name = "karez-worker-\(ProcessInfo.processInfo.processIdentifier)"
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    /// Jobs the broker may hand this worker before it hears back.
    public var credit = 512
    /// Acknowledge jobs without validating or storing them: measures the transport alone.
    public var noop = false
    public init() {}
}

/// Counters of what a worker did.
public struct WorkerStats: Sendable, Equatable {
    public var stored = 0, duplicates = 0, rejected = 0, storeFailures = 0
}

/// A worker: takes jobs from the broker, runs decode → validate → enrich on every core, stores
/// each batch in one transaction, and only then reports DONE (or FAIL) and asks for more.
public final class Worker: Sendable {
    private let loop: SocketLoop<WorkerSocketHandler>
    private let store: any Store
    private let processors: [String: any KindProcessor]
    private let context: ProcessingContext
    private let settings: WorkerSettings
    private let counters = LockedCounters()

    /// Connects to the broker's back endpoint (reconnecting forever) and starts registering.
    public init(broker endpoint: String, store: any Store, settings: WorkerSettings, pseudonymizer: Pseudonymizer, zmq: Context) {
        self.store = store
        self.settings = settings
        processors = KindRegistry.standard()
        context = ProcessingContext(pseudonymizer: pseudonymizer)
        let hello = Hello(name: settings.name, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()),
                          incarnation: UUID().uuidString.lowercased(), concurrency: settings.concurrency, version: "1",
                          kinds: KindRegistry.kindNames)
        let credit = settings.credit
        loop = SocketLoop(name: "karez-worker-socket", inboxCapacity: 4096, outboxCapacity: 64) {
            try WorkerSocketHandler(context: zmq, endpoint: endpoint, hello: hello, credit: credit)
        }
    }

    /// What the worker did so far.
    public var stats: WorkerStats { counters.value }

    /// Processes jobs until ``stop()`` is called.
    public func run() async throws {
        for try await event in loop.events {
            switch event {
            case .welcome: break
            case .brokerError(let e):
                FileHandle.standardError.write(Data("karez worker: broker says \(e.errors.map(\.description).joined(separator: "; "))\n".utf8))
            case .jobs(let jobs): await handle(jobs)
            }
        }
    }

    /// Says BYE to the broker and stops.
    public func stop() async { await loop.stop() }

    private func handle(_ jobs: [Job]) async {
        if settings.noop {
            await loop.send(.send(.done(jobs.map(\.delivery))))
            await loop.send(.send(.credit(jobs.count)))
            return
        }
        let results = await process(jobs)
        var stored: [StoredItem] = [], storedTags: [UInt64] = []
        var rejected: [RejectedItem] = [], rejectedTags: [(UInt64, ErrorBody)] = []
        for (job, result) in zip(jobs, results) {
            switch result {
            case .success(let (item, micros)):
                stored.append(StoredItem(kind: item.kind, id: item.id, attempt: job.attempt,
                                         body: JSONWriter.string(item.body), enrichment: JSONWriter.string(item.enrichment),
                                         facts: item.facts, processingMicros: micros))
                storedTags.append(job.delivery)
            case .failure(var errors):
                errors.id = job.id
                errors.kind = job.kind
                rejected.append(RejectedItem(kind: job.kind, id: job.id, attempt: job.attempt,
                                             body: String(decoding: job.body, as: UTF8.self), errors: String(decoding: errors.bytes, as: UTF8.self)))
                rejectedTags.append((job.delivery, errors))
            }
        }
        do {
            let outcome = try await store.write(stored)
            let rejectedOutcome = try await store.writeRejected(rejected)
            counters.update {
                $0.stored += outcome.inserted
                $0.duplicates += outcome.duplicates.count
                $0.rejected += rejectedOutcome.inserted
            }
            if !storedTags.isEmpty { await loop.send(.send(.done(storedTags))) }
            for (tag, errors) in rejectedTags { await loop.send(.send(.fail(delivery: tag, retryable: false, errors))) }
        } catch {
            counters.update { $0.storeFailures += 1 }
            let body = ErrorBody(code: "unavailable", message: "the store failed: \(error)")
            for job in jobs { await loop.send(.send(.fail(delivery: job.delivery, retryable: true, body))) }
            FileHandle.standardError.write(Data("karez worker: \(error)\n".utf8))
        }
        await loop.send(.send(.credit(jobs.count)))
    }

    /// Validates and enriches jobs on every core, keeping their order.
    private func process(_ jobs: [Job]) async -> [Result<(ProcessedItem, Int64), ErrorBody>] {
        let chunks = max(1, min(settings.concurrency, jobs.count / 8))
        let size = (jobs.count + chunks - 1) / chunks
        let processors = self.processors, context = self.context
        return await withTaskGroup(of: (Int, [Result<(ProcessedItem, Int64), ErrorBody>]).self) { group in
            for c in 0..<chunks {
                let slice = Array(jobs[min(jobs.count, c * size)..<min(jobs.count, (c + 1) * size)])
                group.addTask { (c, slice.map { Self.process($0, processors, context) }) }
            }
            var parts = [[Result<(ProcessedItem, Int64), ErrorBody>]](repeating: [], count: chunks)
            for await (c, r) in group { parts[c] = r }
            return parts.flatMap { $0 }
        }
    }

    static func process(_ job: Job, _ processors: [String: any KindProcessor], _ context: ProcessingContext) -> Result<(ProcessedItem, Int64), ErrorBody> {
        let start = ContinuousClock.now
        guard let processor = processors[job.kind] else {
            return .failure(ErrorBody(code: "unknown_kind", message: "this worker has no processor for kind \"\(job.kind)\""))
        }
        let json: JSONValue
        do { json = try JSONParser.parse(job.body) } catch {
            return .failure(ErrorBody(code: error.isEncoding ? "invalid_utf8" : "not_json", message: error.description))
        }
        return processor.process(json, context: context).map { item in
            let (s, a) = (ContinuousClock.now - start).components
            return (item, s * 1_000_000 + a / 1_000_000_000_000)
        }
    }
}

/// Worker counters behind a lock.
final class LockedCounters: Sendable {
    private let mutex = Synchronization.Mutex(WorkerStats())
    var value: WorkerStats { mutex.withLock { $0 } }
    func update(_ body: (inout WorkerStats) -> Void) { mutex.withLock { body(&$0) } }
}

import Synchronization
