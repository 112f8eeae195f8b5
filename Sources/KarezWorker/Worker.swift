import Logging
import Foundation
import KarezDomain
import KarezMetrics
import KarezProtocol
import KarezWire
import KarezStore
import ServiceLifecycle
import ZeroMQ
import ZeroMQLoop

/// Settings of a worker (`karez worker` flags).
public struct WorkerSettings: Sendable {
    public var name = "karez-worker-\(ProcessInfo.processInfo.processIdentifier)"
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    /// Jobs the broker may hand this worker before it hears back.
    public var credit = 1000
    /// Acknowledge jobs without validating or storing them: measures the transport alone.
    public var noop = false
    /// Ask the broker for packed `JOB` messages (PROTOCOL.md 2.5) and pack `DONE` in return.
    public var pack = true
    /// The collector's metrics intake (`tcp://HOST:7702`); nil sends no metrics.
    public var collector: String?
    /// Keys for a CURVE broker (this worker's pair and the broker's public key); nil: plain TCP.
    public var curve: CurveClientKeys?
    /// Keys for a CURVE collector intake.
    public var collectorCurve: CurveClientKeys?
    public init() {}
}

/// Counters of what a worker did.
public struct WorkerStats: Sendable, Equatable {
    public var stored = 0, duplicates = 0, rejected = 0, storeFailures = 0

    public init(stored: Int = 0, duplicates: Int = 0, rejected: Int = 0, storeFailures: Int = 0) {
        (self.stored, self.duplicates, self.rejected, self.storeFailures) = (stored, duplicates, rejected, storeFailures)
    }

    /// The counts of two workers together.
    public static func + (a: WorkerStats, b: WorkerStats) -> WorkerStats {
        WorkerStats(stored: a.stored + b.stored, duplicates: a.duplicates + b.duplicates,
                    rejected: a.rejected + b.rejected, storeFailures: a.storeFailures + b.storeFailures)
    }
}

/// A worker: takes jobs from the broker, runs decode → validate → enrich on every core, stores
/// each batch in one transaction, and only then reports DONE (or FAIL) and asks for more.
public final class Worker: Service, Sendable {
    private let loop: SocketLoop<WorkerSocketHandler>
    private let store: any Store
    private let processors: [String: any KindProcessor]
    private let context: ProcessingContext
    private let settings: WorkerSettings
    private let counters = LockedCounters()
    private let metrics = SharedMetrics()
    /// Set when the broker connection has ended: a store retry gives up (the broker redelivers).
    private let stopped = Mutex(false)
    /// Deliveries the broker cancelled (``WorkerEvent/cancelled(_:)``), filled by the socket thread.
    private let cancelled = CancelledDeliveries()
    /// Set by ``stop(drainTimeout:)``.
    private let draining = Mutex(false)

    /// Connects to the broker's back endpoint (reconnecting forever) and starts registering.
    public init(broker endpoint: String, store: any Store, settings: WorkerSettings, pseudonymizer: Pseudonymizer, zmq: Context) {
        self.store = store
        self.settings = settings
        processors = KindRegistry.standard()
        context = ProcessingContext(pseudonymizer: pseudonymizer)
        let hello = Hello(name: settings.name, host: ProcessInfo.processInfo.hostName, pid: Int(getpid()),
                          incarnation: UUID().uuidString.lowercased(), concurrency: settings.concurrency, version: "1",
                          kinds: KindRegistry.kindNames,
                          accepts: Hello.extensions.filter { settings.pack || $0 != Pack.accepts })
        let credit = settings.credit, collector = settings.collector, metrics = self.metrics
        let curve = settings.curve, collectorCurve = settings.collectorCurve, cancelled = self.cancelled
        let noopMetrics = settings.noop ? metrics : nil
        metrics.update { $0.set("worker_concurrency", [:], Double(settings.concurrency)) }
        // Credit already bounds the jobs the broker sends (each JOB message carries at least one),
        // so the socket thread may always read them: every job held is then known to it (its
        // lease extended while the store stalls) and none waits unread in the socket.
        loop = SocketLoop(name: "karez-worker", inboxCapacity: 4096, outboxCapacity: max(64, settings.credit + 16)) {
            let source = try collector.map {
                WorkerMetricsSource(sender: try MetricsSender(context: zmq, endpoint: $0, curve: collectorCurve), shared: metrics,
                                    clock: SnapshotClock(role: "worker", name: hello.name, incarnation: hello.incarnation))
            }
            return try WorkerSocketHandler(context: zmq, endpoint: endpoint, hello: hello, credit: credit, metrics: source, curve: curve,
                                           cancelled: cancelled, noopMetrics: noopMetrics)
        }
    }

    /// What the worker did so far.
    public var stats: WorkerStats { counters.value }

    /// Processes jobs until graceful shutdown (SIGTERM/SIGINT in a `ServiceGroup`) or
    /// ``stop(drainTimeout:)``, which drain; cancellation leaves at once (BYE, the broker delivers
    /// what was held again).
    public func run() async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await work()
            } onGracefulShutdown: {
                Task { await self.stop() }
            }
        } onCancel: {
            Task { await self.leave() }
        }
    }

    /// Two stages overlap: while one batch is being stored, the next is validated and enriched
    /// on the other cores. Batches are stored, and acknowledged, in the order they arrived.
    private func work() async throws {
        var storing: Task<Void, Never>?
        defer { storing?.cancel() }
        for try await event in loop.events {
            switch event {
            case .welcome(let w):
                // Logged at every WELCOME: the first, and each after the broker restarted.
                Self.log.info("welcomed by the broker \(w.broker) (incarnation \(w.incarnation.prefix(8))); taking work",
                              metadata: ["worker": "\(settings.name)"])
            case .drained:
                // Every job held is answered and the broker sends no more: BYE gives nothing back.
                await storing?.value
                await loop.stop()
            case .brokerError(let e):
                // Credit asked for while JOBs were on their way (a re-HELLO, a restarted broker)
                // can pass the broker's cap for a moment; it grants what fits, nothing is lost.
                let onlyCredit = e.errors.allSatisfy { $0.code == "credit_limit" }
                Self.log.log(level: onlyCredit ? .debug : .warning, "the broker refused a message: \(e.errors.map(\.description).joined(separator: "; "))")
                // A broker that does not know DRAIN: leave as before (BYE; it redelivers what is held).
                if e.errors.contains(where: { $0.code == "unknown_command" }), draining.withLock({ $0 }) {
                    await storing?.value
                    await loop.stop()
                }
            case .cancelled(let tags):
                Self.log.info("an operator cancelled \(tags.count) job\(tags.count == 1 ? "" : "s") held here; those not started are dropped",
                              metadata: ["worker": "\(settings.name)"])
            case .jobs(var jobs):
                // Leaving without finishing: jobs still queued here are not started (the broker
                // delivers them again after BYE).
                if stopped.withLock({ $0 }) { continue }
                // Jobs cancelled before they were started here are dropped.
                cancelled.drop(from: &jobs)
                if jobs.isEmpty { continue }
                let results = await process(jobs)
                await storing?.value
                storing = Task { await self.store(jobs, results) }
            }
        }
        stopped.withLock { $0 = true }
        await storing?.value
    }

    /// Drains, then says BYE: asks the broker for no more jobs (`DRAIN`), finishes and answers
    /// every job it holds, and leaves with nothing in hand, so no attempt is counted and nothing
    /// waits for a lease. Gives up draining after `drainTimeout` (a broker that does not answer,
    /// a store that stays down): then BYE, and the broker delivers what was held again.
    public func stop(drainTimeout: Duration = .seconds(20)) async {
        guard draining.withLock({ s in defer { s = true }; return !s }) else { return }
        guard await loop.send(.drain) else { return }
        Task {
            try? await Task.sleep(for: drainTimeout)
            await self.leave()
        }
    }

    /// Leaves without finishing: a batch still being written (the store down or locked) stops
    /// retrying, and the loop says BYE; the broker delivers what was held again.
    private func leave() async {
        stopped.withLock { $0 = true }
        await loop.stop()
    }

    /// Stores a processed batch in one transaction, then reports DONE for the stored items and
    /// FAIL (not retryable) for the invalid ones; the socket thread gives their credit back.
    ///
    /// A store that fails or stalls pauses the worker instead of failing its jobs: the batch is
    /// written again with backoff until the store is back or the worker stops, the leases of
    /// every job held are extended meanwhile, and no more credit goes out. Only a worker that
    /// really dies has its jobs redelivered.
    private func store(_ jobs: [Job], _ results: [JobOutcome]) async {
        var stored: [StoredItem] = [], storedTags: [UInt64] = []
        var rejected: [RejectedItem] = [], rejectedTags: [(UInt64, ErrorBody)] = []
        for (job, outcome) in zip(jobs, results) {
            switch outcome.result {
            case .success(let item):
                stored.append(StoredItem(kind: item.kind, id: item.id, attempt: job.attempt,
                                         body: String(decoding: item.bodyJSON, as: UTF8.self), enrichment: String(decoding: item.enrichmentJSON, as: UTF8.self),
                                         facts: item.facts, processingMicros: Int64(outcome.decodeMicros + outcome.validateMicros + outcome.enrichMicros),
                                         traceparent: job.traceparent))
                storedTags.append(job.delivery)
            case .failure(var errors):
                errors.id = job.id
                errors.kind = job.kind
                // Personal data never reaches the rejected list in clear (PROTOCOL.md 6.1).
                let kept = processors[job.kind]?.redacted(job.body, pseudonymizer: context.pseudonymizer)
                    ?? KindRegistry.redactor(pseudonymizer: context.pseudonymizer)(job.kind, job.body)
                rejected.append(RejectedItem(kind: job.kind, id: job.id, attempt: job.attempt,
                                             body: Self.storableText(kept), errors: String(decoding: errors.bytes, as: UTF8.self)))
                rejectedTags.append((job.delivery, errors))
            }
        }
        let storeStart = ContinuousClock.now
        await loop.send(.holdLeases(true))
        let written = await writeUntilStored(stored, rejected, jobs: jobs, results: results, since: storeStart)
        await loop.send(.holdLeases(false))
        guard written else { return }
        // Traced items (published with a traceparent) are logged one by one with their trace, so
        // a trace can be followed into the worker's log; untraced items cost no log line.
        for (job, outcome) in zip(jobs, results) where job.traceparent != nil {
            var metadata: Logger.Metadata = ["id": "\(job.id)", "kind": "\(job.kind)", "attempt": "\(job.attempt)", "traceparent": "\(job.traceparent!)"]
            var stored = true
            if case .failure(let errors) = outcome.result {
                stored = false
                metadata["codes"] = "\(errors.errors.map(\.code).joined(separator: ","))"
            }
            Self.log.info(stored ? "stored" : "rejected", metadata: metadata)
        }
        if !storedTags.isEmpty { await loop.send(.send(.done(storedTags))) }
        for (tag, errors) in rejectedTags { await loop.send(.send(.fail(delivery: tag, retryable: false, errors))) }
    }

    /// Writes a batch, retrying with backoff while the store fails; false when the worker was
    /// stopped first (its jobs are then redelivered by the broker).
    private func writeUntilStored(_ stored: [StoredItem], _ rejected: [RejectedItem], jobs: [Job], results: [JobOutcome],
                                  since storeStart: ContinuousClock.Instant) async -> Bool {
        var retry = StoreRetry()
        while true {
            if stopped.withLock({ $0 }) { return false }  // leaving: the broker redelivers these
            do {
                let outcome = try await store.write(stored)
                let rejectedOutcome = try await store.writeRejected(rejected)
                let storeMicros = UInt64(max(0, (ContinuousClock.now - storeStart) / .microseconds(1)))
                counters.update {
                    $0.stored += outcome.inserted
                    $0.duplicates += outcome.duplicates.count
                    $0.rejected += rejectedOutcome.inserted
                }
                metrics.update { m in
                    WorkerMetrics.record(jobs: jobs, outcomes: results, storeMicros: storeMicros, into: &m)
                    WorkerMetrics.recordStored(stored, duplicates: Set(outcome.duplicates), into: &m)
                }
                break
            } catch {
                counters.update { $0.storeFailures += 1 }
                metrics.update { $0.add("store_failures_total") }
                if retry.failures == 0 {
                    Self.log.error("the store failed; holding the jobs and retrying until it is back, leases extended",
                                   metadata: ["error": "\(error)", "jobs": "\(jobs.count)"])
                }
                guard let pause = retry.next(), !stopped.withLock({ $0 }) else { return false }
                try? await Task.sleep(for: pause)
                if stopped.withLock({ $0 }) { return false }
            }
        }
        if retry.failures > 0 {
            Self.log.notice("the store is back; the held jobs are stored", metadata: ["failed_attempts": "\(retry.failures)"])
        }
        return true
    }

    /// Validates and enriches jobs on every core, keeping their order.
    private func process(_ jobs: [Job]) async -> [JobOutcome] {
        let chunks = max(1, min(settings.concurrency, jobs.count / 8))
        let size = (jobs.count + chunks - 1) / chunks
        let processors = self.processors, context = self.context
        return await withTaskGroup(of: (Int, [JobOutcome]).self) { group in
            for c in 0..<chunks {
                let slice = Array(jobs[min(jobs.count, c * size)..<min(jobs.count, (c + 1) * size)])
                group.addTask { (c, slice.map { Self.process($0, processors, context) }) }
            }
            var parts = [[JobOutcome]](repeating: [], count: chunks)
            for await (c, r) in group { parts[c] = r }
            return parts.flatMap { $0 }
        }
    }

    static func process(_ job: Job, _ processors: [String: any KindProcessor], _ context: ProcessingContext) -> JobOutcome {
        let start = ContinuousClock.now
        guard let processor = processors[job.kind] else {
            return JobOutcome(result: .failure(ErrorBody(code: "unknown_kind", message: "this worker has no processor for kind \"\(job.kind)\"")))
        }
        var timed = context
        let marks = StageMarks()
        timed.stageMarks = marks
        let result = job.body.withUnsafeBytes { processor.process(bytes: $0, context: timed) }.flatMap { Self.matchesFrames($0, job) }
        let done = ContinuousClock.now
        let decoded = marks.decodedAt ?? done
        let validated = marks.validatedAt ?? done
        return JobOutcome(result: result, decodeMicros: micros(decoded - start), validateMicros: micros(validated - decoded),
                          enrichMicros: micros(done - validated))
    }

    /// The body's `id` must be the id frame's (PROTOCOL.md 3.1): an item may not be stored under
    /// another item's id, or a later item with that id would be taken for a duplicate of it.
    static func matchesFrames(_ item: ProcessedItem, _ job: Job) -> Result<ProcessedItem, ErrorBody> {
        guard item.id == job.id else {
            return .failure(ErrorBody(path: "/id", code: "inconsistent",
                                      message: "the body's id differs from the id frame \"\(job.id.prefix(128))\"; publish each item under its own id"))
        }
        return .success(item)
    }

    /// A rejected body as text every store keeps whole: NUL bytes (which SQLite would cut the
    /// text at and PostgreSQL refuses, so the batch could never be written) become U+FFFD.
    static func storableText(_ body: [UInt8]) -> String {
        let text = String(decoding: body, as: UTF8.self)
        return body.contains(0) ? String(text.unicodeScalars.map { $0 == "\0" ? "\u{FFFD}" : Character($0) }) : text
    }

    /// What the worker reports (swift-log).
    static let log = Logger(label: "karez.worker")

    static func micros(_ d: Duration) -> UInt64 { UInt64(max(0, d / .microseconds(1))) }
}

/// What decode → validate → enrich made of one job, and how long each step took.
struct JobOutcome: Sendable {
    var result: Result<ProcessedItem, ErrorBody>
    var decodeMicros: UInt64 = 0
    /// Validation (schema and domain rules), then enrichment (only for valid items).
    var validateMicros: UInt64 = 0
    var enrichMicros: UInt64 = 0
}

/// Worker counters behind a lock.
final class LockedCounters: Sendable {
    private let mutex = Synchronization.Mutex(WorkerStats())
    var value: WorkerStats { mutex.withLock { $0 } }
    func update(_ body: (inout WorkerStats) -> Void) { mutex.withLock { body(&$0) } }
}

import Synchronization
