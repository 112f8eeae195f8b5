import Foundation
import KarezCollector
import KarezMetrics
import KarezStore
import Synchronization
import ZeroMQ

/// A whole `karez bench` load run: starts its own Karez (child processes, with an in-process
/// collector for the per-stage latencies and a live dashboard) or uses a running one, runs the
/// producers, injects faults, checks that no acknowledged item was lost, and reports.
public struct LoadRun: Sendable {
    public var settings: LoadSettings
    public var baseline = false
    /// Called with status lines (the dashboard URL, faults) while the run goes on.
    public var log: @Sendable (String) -> Void = { _ in }

    public init(settings: LoadSettings) { self.settings = settings }

    public func run() async throws -> LoadReport {
        let items = try LoadItems(settings)
        let context = try Context()
        var collector: Collector?
        var serving: Task<Void, any Error>?
        var cluster: KarezCluster?
        if settings.broker == nil {
            var cs = CollectorSettings()
            (cs.intake, cs.httpHost, cs.httpPort) = ("tcp://127.0.0.1:*", "127.0.0.1", 0)
            let c = try Collector(settings: cs, store: nil, context: context)
            let log = self.log
            serving = Task { try await c.serve { port in log("karez bench: live dashboard http://127.0.0.1:\(port)/") } }
            collector = c
            cluster = try KarezCluster(settings: settings, collector: c.intakeEndpoint)
        }
        defer { cluster?.stop() }
        let fronts = try cluster?.fronts ?? settings.brokerEndpoints()
        let storeURL = settings.kind == "noop" ? nil : (cluster?.store ?? settings.store)
        let before = collector?.aggregate { $0.totals }

        let curve = try cluster?.producerKeys ?? settings.clientKeys()
        let producers = (0..<max(1, settings.producers)).map {
            LoadProducer(settings: settings, items: items, endpoints: fronts, context: context, index: $0, curve: curve)
        }
        // What the processes spent before the load (starting up, a sweep's earlier steps) is not
        // the load's: their figures now are subtracted at the end.
        cluster?.markStart()
        let benchAtStart = ProcessStats.current
        let start = ContinuousClock.now
        for p in producers { p.start() }
        let finishedFlag = Flag()
        let results = Task.detached {
            defer { finishedFlag.set() }
            return try producers.map { try $0.wait() }
        }
        // Faults and process sampling while the producers run.
        var nextWorkerKill = settings.killWorkerEvery.map { Duration.seconds($0) }
        var brokerKillDue = settings.killBrokerAt.map { Duration.seconds($0) }
        var kills = 0
        while !finishedFlag.isSet {
            try await Task.sleep(for: .milliseconds(100))
            let elapsed = ContinuousClock.now - start
            if let due = nextWorkerKill, elapsed >= due, let cluster {
                try cluster.killWorker(kills)
                kills += 1
                nextWorkerKill = due + .seconds(settings.killWorkerEvery!)
                log("karez bench: kill -9 worker at \(Int(elapsed / .seconds(1))) s (restarted)")
            }
            if let due = brokerKillDue, elapsed >= due, let cluster {
                try cluster.killBroker()
                brokerKillDue = nil
                log("karez bench: kill -9 broker\(settings.brokers > 1 ? " 1 of \(settings.brokers)" : "") at \(Int(elapsed / .seconds(1))) s (restarted)")
            }
            cluster?.sample()
        }
        let merged = ProducerResult.merged(try await results.value)
        let prefixes = try await results.value.map { ($0.idPrefix, $0.acknowledgedIndices) }

        // Every acknowledged item must be finished: stored/rejected (store) or out of the queue.
        let check = try await LossCheck.run(acknowledged: prefixes, runID: settings.runID, kind: settings.wireKind,
                                            store: storeURL, collector: collector, finished: merged.finishedDone + merged.finishedDead,
                                            timeout: settings.drainSeconds, deadLetters: cluster?.deadLetters ?? [:])
        var stages: [String: BucketHistogram] = [:]
        var journalSyncs: BucketHistogram?
        if let collector, let before {
            try await Task.sleep(for: .milliseconds(1200)) // the last snapshots
            let after = collector.aggregate { $0.totals }
            for stage in Summary.stages {
                stages[stage] = after.histogram("stage_seconds", ["stage": stage]).since(before.histogram("stage_seconds", ["stage": stage]))
            }
            // A restarted broker carries its histograms on (``BrokerMetricsCheckpoint``).
            journalSyncs = after.histogram("journal_sync_seconds").since(before.histogram("journal_sync_seconds"))
        }
        let redelivered = collector?.aggregate { $0.totals.counter("items_redelivered_total") - (before?.counter("items_redelivered_total") ?? 0) }
        var processes = cluster?.roleStats ?? [:]
        processes["bench"] = ProcessStats.current.since(benchAtStart)
        await collector?.stop()
        _ = await serving?.result
        let base = baseline ? try Baselines.run(size: items.meanBytes, count: 200_000, fsync: settings.fsync, window: settings.window) : nil
        var open: OpenLoopBaseline?
        if baseline, let rate = settings.rate, settings.rampTo == nil {
            // As many messages as Karez sent, so the tails compare: at most a minute's worth, and
            // with fsync=always (one sync per message in C) at most 20,000.
            let count = max(1, min(merged.published, Int(min(rate, 1e9) * 60), settings.fsync == "always" ? 20_000 : .max))
            log("karez bench: the C durable yardstick at \(Int(rate)) messages/s (\(String(format: "%.0f", Double(count) / rate)) s)")
            open = try OpenLoopBaseline.run(size: items.meanBytes, rate: rate, count: count, fsync: settings.fsync)
        }
        var wakeup: WakeupYardstick?
        if baseline {
            // A host too busy for it costs this one figure, not the run's report.
            do { wakeup = try WakeupYardstick.run() } catch { log("karez bench: the wake-up yardstick failed: \(error)") }
        }
        return LoadReport(settings: settings, result: merged, itemBytes: items.meanBytes, stages: stages, processes: processes,
                          lost: check.lost, storedTwice: check.storedTwice, deadLettered: max(merged.finishedDead, check.deadLettered),
                          deadLetteredNotInvalid: check.deadLetteredNotInvalid,
                          redelivered: redelivered.map { Int($0) },
                          workerKills: cluster?.workerKills ?? 0, brokerKills: cluster?.brokerKills ?? 0, baselines: base,
                          openBaseline: open, wakeup: wakeup, ownCluster: cluster != nil, journalSyncs: journalSyncs)
    }
}

/// A flag one thread sets and others read.
final class Flag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

/// What `karez bench --role producer` writes: its settings and its producers' results.
public struct ProducerRun: Sendable, Codable {
    public var settings: LoadSettings
    public var results: [ProducerResult]
    public var itemBytes: Int
    public var process: ProcessStats
}

extension LoadRun {
    /// Runs the producers only, into ``LoadSettings/broker`` (a host's share of a distributed run).
    public func runProducers() async throws -> ProducerRun {
        let brokers = try settings.brokerEndpoints()
        let items = try LoadItems(settings)
        let context = try Context()
        let curve = try settings.clientKeys()
        let producers = (0..<max(1, settings.producers)).map {
            LoadProducer(settings: settings, items: items, endpoints: brokers, context: context, index: $0, curve: curve)
        }
        for p in producers { p.start() }
        let results = try await Task.detached { try producers.map { try $0.wait() } }.value
        return ProducerRun(settings: settings, results: results, itemBytes: items.meanBytes, process: ProcessStats.current)
    }

    /// One report from several hosts' producer runs; checks the store when given.
    public static func merge(_ runs: [ProducerRun], settings: LoadSettings, store: String?) async throws -> LoadReport {
        let all = runs.flatMap(\.results).sorted { $0.startedAt < $1.startedAt }
        let merged = ProducerResult.merged(all)
        let check = try await LossCheck.run(acknowledged: all.map { ($0.idPrefix, $0.acknowledgedIndices) }, runID: settings.runID,
                                            kind: settings.wireKind, store: settings.kind == "noop" ? nil : store, collector: nil,
                                            finished: merged.finishedDone + merged.finishedDead, timeout: settings.drainSeconds)
        var s = settings
        s.producers = all.count
        var processes: [String: ProcessStats] = [:]
        for (i, r) in runs.enumerated() { processes["producer-\(i + 1)"] = r.process }
        return LoadReport(settings: s, result: merged, itemBytes: runs.first?.itemBytes ?? 0, stages: [:], processes: processes,
                          lost: check.lost, storedTwice: check.storedTwice, deadLettered: merged.finishedDead, redelivered: nil,
                          workerKills: 0, brokerKills: 0, baselines: nil, ownCluster: false)
    }
}

extension ProducerRun {
    /// Reads a producer's results file (`--role producer --results`), also one an earlier
    /// release wrote: a field it lacks (one added since) takes its default, so the producers of
    /// a distributed run still merge when their hosts run different releases.
    public static func read(_ data: Data) throws -> ProducerRun {
        guard var run = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            return try JSONDecoder().decode(ProducerRun.self, from: data)
        }
        func defaults(_ value: some Encodable) throws -> [String: Any] {
            try JSONSerialization.jsonObject(with: JSONEncoder().encode(value)) as? [String: Any] ?? [:]
        }
        if let settings = run["settings"] as? [String: Any] {
            run["settings"] = try defaults(LoadSettings()).merging(settings) { $1 }
        }
        if let results = run["results"] as? [[String: Any]] {
            let fresh = try defaults(ProducerResult())
            run["results"] = results.map { fresh.merging($0) { $1 } }
        }
        return try JSONDecoder().decode(ProducerRun.self, from: JSONSerialization.data(withJSONObject: run))
    }
}
