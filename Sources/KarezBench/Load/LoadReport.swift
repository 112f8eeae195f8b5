import Foundation
import Histogram
import KarezCollector
import KarezProtocol

/// What a load run measured, as a table (``text``) or JSON (``json``).
public struct LoadReport: Sendable {
    public var settings: LoadSettings
    public var result: ProducerResult
    public var itemBytes: Int
    /// Per-stage latency from the broker's and workers' snapshots during the run.
    public var stages: [String: BucketHistogram]
    public var processes: [String: ProcessStats]
    public var lost: Int
    public var storedTwice: Int
    /// Acknowledged items that ended in the dead-letter list.
    public var deadLettered: Int
    /// Those dead-lettered for another reason than validation: counted in ``lost`` as well.
    public var deadLetteredNotInvalid = 0
    public var redelivered: Int?
    public var workerKills: Int
    public var brokerKills: Int
    public var baselines: Baselines?
    /// The C durable queue at this run's rate (open loop at a fixed rate).
    public var openBaseline: OpenLoopBaseline?
    /// What a wake-up costs on this machine, measured in the same run (with the baselines).
    public var wakeup: WakeupYardstick?
    public var ownCluster: Bool
    /// How long the broker's group commits waited for fdatasync during the run (its
    /// `journal_sync_seconds`), when the run read the brokers' snapshots.
    public var journalSyncs: BucketHistogram? = nil

    /// Items acknowledged per second (publish → journalled).
    public var ackRate: Double { result.ackSeconds > 0 ? Double(result.acknowledged + result.duplicates) / result.ackSeconds : 0 }
    /// Items finished per second (publish → processed), from the `FIN`s.
    public var doneRate: Double { result.doneSeconds > 0 ? Double(result.finishedDone + result.finishedDead) / result.doneSeconds : 0 }
    /// The headline: finished items per second, or acknowledged when no `FIN` came.
    public var itemsPerSecond: Double { doneRate > 0 ? doneRate : ackRate }
    public var megabytesPerSecond: Double { result.ackSeconds > 0 ? Double(result.bytes) / result.ackSeconds / 1e6 : 0 }

    static let percentiles: [(String, Double)] = [("p50", 50), ("p90", 90), ("p99", 99), ("p99.9", 99.9)]

    /// The table printed at the end of a run.
    public var text: String {
        var out: [String] = []
        let s = settings
        let mode = s.openLoop ? "open loop at \(Int(s.rate!)) items/s\(s.rampTo.map { " ramping to \(Int($0))" } ?? "")" : "closed loop, window \(s.window)"
        let amount = s.count.map { "\($0) items" } ?? "\(Int(s.duration ?? 0)) s"
        let options = (s.priorities > 1 ? "\(s.priorities) priorities, " : "") + (s.delayMillis > 0 ? "delay \(s.delayMillis) ms (in the latency to done), " : "")
        out.append("karez bench: \(mode), kind \(s.kind) (\(itemBytes) B), \(amount), \(s.producers) producer\(s.producers == 1 ? "" : "s"), fsync \(s.fsync), \(options)"
                   + (ownCluster ? "\(s.brokers > 1 ? "\(s.brokers) brokers, " : "")\(s.workers) worker\(s.workers == 1 ? "" : "s") (own Karez)" : "broker \(s.broker ?? "")"))
        out.append("throughput  \(grouped(itemsPerSecond)) items/s done   \(grouped(ackRate)) items/s acknowledged   \(String(format: "%.1f", megabytesPerSecond)) MB/s")
        out.append("latency ms            p50       p90       p99     p99.9       max   count")
        func row(_ name: String, _ values: [Double], _ max: Double, _ count: Int) {
            out.append(name.padding(toLength: 18, withPad: " ", startingAt: 0) + values.map { pad(ms($0), 10) }.joined() + pad(ms(max), 10) + pad(String(count), 8))
        }
        /// A row of an exact HdrHistogram of microseconds.
        func row(_ name: String, _ h: Histogram<UInt64>) {
            row(name, Self.percentiles.map { Double(h.valueAtPercentile($0.1)) / 1e6 }, Double(h.max) / 1e6, Int(h.totalCount))
        }
        /// A row of a snapshot histogram, interpolated within its buckets.
        func row(_ name: String, _ h: BucketHistogram) {
            row(name, Self.percentiles.map { h.quantile($0.1 / 100) }, h.quantile(1), h.count)
        }
        let from = s.openLoop ? "intended" : "publish"
        for (name, h) in [("intended→sent", result.sendLatency), ("\(from)→ack", result.ackLatency), ("\(from)→done", result.doneLatency)] where h.totalCount > 0 {
            row(name, h)
        }
        for stage in Summary.stages {
            guard let h = stages[stage], h.count > 0 else { continue }
            row("  " + stage, h)
        }
        if !stages.isEmpty { out.append("  (stages: broker and worker HdrHistograms, bucketed; the broker's clock is in ms)") }
        if let h = journalSyncs, h.count > 0 {
            row("journal fdatasync", h)
            let each = Double(result.acknowledged) / Double(h.count)
            out.append("  (the broker's journal syncs, bucketed: \(String(format: "%.1f", each)) items acknowledged per sync)")
        }
        if let worst = worstSecond {
            out.append("worst second: \(worst.second) s in, \(from)→done up to \(ms(worst.max)) ms (median of the seconds' maxima \(ms(worst.medianMax)) ms)")
        }
        if s.openLoop && Double(result.sendLatency.max) > 1e6 {
            out.append("WARNING: the generator sent items up to \(ms(Double(result.sendLatency.max) / 1e6)) ms after their intended time: "
                       + "the rate is above what this run sustains, and every latency above includes that backlog")
        }
        if let b = openBaseline {
            let h = b.latency
            row("C durable→ack", h)
            let ratios = yardstickRatios.map { "\($0.0) \(String(format: "%.2f", $0.1))" }.joined(separator: ", ")
            out.append("  (C durable DEALER/ROUTER, fsync=\(b.fsync), same rate, same run)   yardstick: intended→done ÷ C durable→ack  \(ratios)")
            if let syncs = b.syncs, syncs.totalCount > 0 {
                row("C fdatasync", syncs)
                let disk = ownCluster ? "on the broker's disk just after" : "on this machine's disk"
                out.append("  (the C queue's syncs \(disk), exact: \(String(format: "%.1f", Double(h.totalCount) / Double(syncs.totalCount))) messages acknowledged per sync)")
            }
        }
        out.append("process       cpu s   peak MB   switches/item   cpu µs/item")
        for (role, p) in processes.sorted(by: { $0.key < $1.key }) {
            out.append(role.padding(toLength: 10, withPad: " ", startingAt: 0) + pad(String(format: "%.1f", p.cpuSeconds), 8) + pad(String(p.peakBytes / 1_000_000), 10)
                       + pad(String(format: "%.2f", perItem(Double(p.contextSwitches))), 16) + pad(String(format: "%.2f", perItem(p.cpuSeconds * 1e6)), 14))
        }
        if let line = switchesLine { out.append(line) }
        let r = result
        let messages = r.publishMessages.map { " in \($0) PUBW messages (\(String(format: "%.1f", Double(r.published + r.resent) / Double(max(1, $0)))) items each)" } ?? ""
        out.append("items: published \(r.published)\(messages), acknowledged \(r.acknowledged + r.duplicates), finished \(r.finishedDone) with FIN (\(r.finishedWithoutFIN) acknowledged before a broker restart: checked in the store instead), dead-lettered \(deadLettered) (\(deadLetteredNotInvalid) not for validation, counted as lost), "
                   + "refused \(r.refused), busy \(r.busy), resent \(r.resent), redelivered \(redelivered.map(String.init) ?? "n/a")")
        out.append("lost \(lost) (acknowledged, never finished or dead-lettered but not invalid)   duplicates \(storedTwice + r.finishedTwice)   faults: \(workerKills) worker kills, \(brokerKills) broker kills")
        if let b = baselines {
            // Throughput ratios mean something only when Karez ran as fast as it could.
            let ratio = { (v: Double) in s.openLoop ? "" : ", ratio \(String(format: "%.3f", v))" }
            out.append("baseline (same run, C, \(b.size) B): raw libzmq PUSH/PULL \(grouped(b.pushPull)) msgs/s\(ratio(itemsPerSecond / max(1, b.pushPull))); "
                       + "durable DEALER/ROUTER fsync=\(b.fsync) \(grouped(b.durable)) msgs/s\(ratio(ackRate / max(1, b.durable)))")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// The second (from the start) whose `FIN`s came with the longest intended→done, in seconds,
    /// and the median of the longest of every second with a `FIN`: whether a run's tail is one
    /// stall or all along. Nil without `FIN`s.
    public var worstSecond: (second: Int, max: Double, medianMax: Double)? {
        let maxima = result.doneMaxPerSecond
        guard let worst = maxima.indices.max(by: { maxima[$0] < maxima[$1] }), maxima[worst] > 0 else { return nil }
        let sorted = maxima.filter { $0 > 0 }.sorted()
        return (worst, Double(maxima[worst]) / 1e6, Double(sorted[sorted.count / 2]) / 1e6)
    }

    /// Context switches per item over every process of the run (the bench's own included).
    public var switchesPerItem: Double { perItem(Double(processes.values.reduce(0) { $0 + $1.contextSwitches })) }

    /// The waits among them per item: each ends in a wake-up.
    public var wakeupsPerItem: Double { perItem(Double(processes.values.reduce(0) { $0 + $1.voluntarySwitches })) }

    /// CPU microseconds per item over every process of the run.
    public var cpuMicrosPerItem: Double { perItem(processes.values.reduce(0) { $0 + $1.cpuSeconds } * 1e6) }

    private func perItem(_ total: Double) -> Double { total / Double(max(1, result.published)) }

    /// Where a turn's cost goes: Karez's context switches per item, the C durable queue's per
    /// message at the same rate, and, at the yardstick's price of a wake-up, about how much of
    /// the CPU per item the waits come to (an estimate: the yardstick's wake-up is an eventfd
    /// ping-pong, Karez's are ZeroMQ's). Nil without the yardstick.
    var switchesLine: String? {
        guard let w = wakeup else { return nil }
        let scope = ownCluster ? "over all processes" : "in the bench process (the broker and workers run elsewhere)"
        var line = "context switches: \(String(format: "%.2f", switchesPerItem)) per item \(scope), \(String(format: "%.2f", wakeupsPerItem)) of them waits"
        if let b = openBaseline {
            line += String(format: "; C durable queue (sender → queue → ack, one process) %.2f per message at the same rate, %.1f µs of CPU", b.switchesPerMessage, b.cpuMicrosPerMessage)
            if SendClock(rate: (settings.rate ?? 0) / Double(max(1, settings.producers))).batched {
                line += " (it sends each message at its time; Karez's producer sends what falls due while its last PUBW is unanswered when the answer comes, or after 2 ms)"
            }
        }
        let estimate = min(wakeupsPerItem * w.cpuMicrosPerWakeup, cpuMicrosPerItem)
        return line + "\n  a wake-up costs \(String(format: "%.1f", w.cpuMicrosPerWakeup)) µs of CPU on this machine (C, two threads, same run; round trip "
            + "\(String(format: "%.1f", w.roundTripMicros)) µs): at that price the waits come to about \(String(format: "%.1f", estimate)) of the "
            + "\(String(format: "%.1f", cpuMicrosPerItem)) µs of CPU per item"
    }

    /// Histograms for `--hdr-log`: intended→sent (open loop), intended→ack, intended→done and the C yardstick's.
    public var hdrEntries: [HdrLog.Entry] {
        let length = result.doneSeconds > 0 ? result.doneSeconds : result.ackSeconds
        let from = settings.openLoop ? "intended" : "publish"
        return [("karez-intended-sent", result.sendLatency), ("karez-\(from)-ack", result.ackLatency), ("karez-\(from)-done", result.doneLatency)]
            .filter { $0.1.totalCount > 0 }
            .map { HdrLog.Entry(tag: $0.0, start: 0, length: length, histogram: $0.1) }
            + (openBaseline.map { [HdrLog.Entry(tag: "c-durable-ack", start: 0, length: length, histogram: $0.latency)] } ?? [])
    }

    /// Karez's intended→done percentiles over the C durable queue's at the same rate.
    public var yardstickRatios: [(String, Double)] {
        guard let b = openBaseline, b.latency.totalCount > 0, result.doneLatency.totalCount > 0 else { return [] }
        return Self.percentiles.map { name, p in
            (name, Double(result.doneLatency.valueAtPercentile(p)) / Double(max(1, b.latency.valueAtPercentile(p))))
        }
    }

    /// The same as JSON.
    public var json: JSONValue {
        func n(_ v: Double) -> JSONValue { .number(v.isFinite ? v : 0) }
        func hdr(_ h: Histogram<UInt64>) -> JSONValue {
            .object(JSONObject([("count", n(Double(h.totalCount)))] + Self.percentiles.map { ($0.0, n(Double(h.valueAtPercentile($0.1)) / 1e3)) }
                               + [("max", n(Double(h.max) / 1e3))]))
        }
        func bucket(_ h: BucketHistogram) -> JSONValue {
            .object(JSONObject([("count", n(Double(h.count)))] + Self.percentiles.map { ($0.0, n(h.quantile($0.1 / 100) * 1e3)) } + [("max", n(h.quantile(1) * 1e3))]))
        }
        var latency: [(String, JSONValue)] = [("ack", hdr(result.ackLatency)), ("done", hdr(result.doneLatency))]
        if result.sendLatency.totalCount > 0 { latency.insert(("sent", hdr(result.sendLatency)), at: 0) }
        latency += Summary.stages.compactMap { st in stages[st].map { (st, bucket($0)) } }
        if let h = journalSyncs, h.count > 0 { latency.append(("journal_sync", bucket(h))) }
        let s = settings
        var o: [(String, JSONValue)] = [
            ("settings", .object(JSONObject([
                ("mode", .string(s.openLoop ? "open" : "closed")), ("kind", .string(s.kind)), ("count", s.count.map { n(Double($0)) } ?? .null),
                ("duration_s", s.duration.map(n) ?? .null), ("rate", s.rate.map(n) ?? .null), ("ramp_to", s.rampTo.map(n) ?? .null),
                ("producers", n(Double(s.producers))), ("window", n(Double(s.window))), ("batch", n(Double(s.batch))), ("fsync", .string(s.fsync)),
                ("workers", ownCluster ? n(Double(s.workers)) : .null), ("brokers", ownCluster ? n(Double(s.brokers)) : .null), ("broker", s.broker.map { .string($0) } ?? .null),
                ("item_bytes", n(Double(itemBytes))), ("run_id", .string(s.runID)),
                ("priorities", n(Double(s.priorities))), ("delay_ms", n(Double(s.delayMillis))),
                ("kill_worker_every_s", s.killWorkerEvery.map(n) ?? .null), ("kill_broker_at_s", s.killBrokerAt.map(n) ?? .null)]))),
            ("items_per_s", n(itemsPerSecond)), ("acknowledged_per_s", n(ackRate)), ("mb_per_s", n(megabytesPerSecond)),
            ("latency_ms", .object(JSONObject(latency))),
            ("processes", .object(JSONObject(processes.sorted { $0.key < $1.key }.map {
                ($0.key, ["cpu_s": n($0.value.cpuSeconds), "peak_bytes": n(Double($0.value.peakBytes)), "context_switches": n(Double($0.value.contextSwitches)),
                          "voluntary_switches": n(Double($0.value.voluntarySwitches))])
            }))),
            ("cpu_us_per_item", n(cpuMicrosPerItem)), ("context_switches_per_item", n(switchesPerItem)), ("wakeups_per_item", n(wakeupsPerItem)),
            ("published", n(Double(result.published))), ("publish_messages", result.publishMessages.map { n(Double($0)) } ?? .null), ("acknowledged", n(Double(result.acknowledged + result.duplicates))),
            ("done", n(Double(result.finishedDone))), ("no_fin_after_broker_restart", n(Double(result.finishedWithoutFIN))), ("dead_lettered", n(Double(deadLettered))), ("dead_lettered_not_invalid", n(Double(deadLetteredNotInvalid))), ("refused", n(Double(result.refused))),
            ("busy", n(Double(result.busy))), ("resent", n(Double(result.resent))), ("redelivered", redelivered.map { n(Double($0)) } ?? .null),
            ("lost", n(Double(lost))), ("duplicates", n(Double(storedTwice + result.finishedTwice))),
            ("worker_kills", n(Double(workerKills))), ("broker_kills", n(Double(brokerKills))),
            // Every second with an ACK or a FIN (the last FINs may come after the last ACK).
            ("throughput_per_second", .array((0..<max(result.acksPerSecond.count, result.donePerSecond.count, result.doneMaxPerSecond.count)).map { i in
                func at(_ a: [Int]) -> Double { Double(i < a.count ? a[i] : 0) }
                return ["second": n(Double(i)), "acknowledged": n(at(result.acksPerSecond)), "done": n(at(result.donePerSecond)),
                        "done_max_ms": n(at(result.doneMaxPerSecond) / 1000)]
            })),
        ]
        if let b = baselines {
            var base: [(String, JSONValue)] = [("size", n(Double(b.size))), ("push_pull_per_s", n(b.pushPull)), ("durable_per_s", n(b.durable)), ("fsync", .string(b.fsync))]
            // As in the table: throughput ratios only when Karez ran as fast as it could.
            if !settings.openLoop { base += [("ratio_push_pull", n(itemsPerSecond / max(1, b.pushPull))), ("ratio_durable", n(ackRate / max(1, b.durable)))] }
            o.append(("baseline", .object(JSONObject(base))))
        }
        if let b = openBaseline {
            var open: [(String, JSONValue)] = [
                ("rate", n(b.rate)), ("size", n(Double(b.size))), ("fsync", .string(b.fsync)), ("latency_ms", hdr(b.latency)),
                ("ratio_done", .object(JSONObject(yardstickRatios.map { ($0.0, n($0.1)) }))),
                ("context_switches_per_message", n(b.switchesPerMessage)), ("cpu_us_per_message", n(b.cpuMicrosPerMessage)),
            ]
            if let syncs = b.syncs, syncs.totalCount > 0 { open.append(("sync_ms", hdr(syncs))) }
            o.append(("baseline_open", .object(JSONObject(open))))
        }
        if let w = wakeup {
            o.append(("wakeup_yardstick", .object(JSONObject([("cpu_us_per_wakeup", n(w.cpuMicrosPerWakeup)), ("round_trip_us", n(w.roundTripMicros))]))))
        }
        return .object(JSONObject(o))
    }

    /// Milliseconds as the tables print them: 3 significant figures or whole numbers.
    static func ms(_ seconds: Double) -> String {
        let v = seconds * 1000
        return v >= 100 ? String(Int(v.rounded())) : String(format: v >= 10 ? "%.1f" : "%.2f", v)
    }
    /// `s` right-aligned in `w` columns.
    static func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
    func ms(_ seconds: Double) -> String { Self.ms(seconds) }
    func pad(_ s: String, _ w: Int) -> String { Self.pad(s, w) }
    func grouped(_ v: Double) -> String { ReportText.grouped(v) }
}
