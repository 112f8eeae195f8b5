import KarezDomain
import KarezMetrics

/// Renders the aggregated metrics in the Prometheus text exposition format (version 0.0.4):
/// every name prefixed `karez_`, one `# HELP`/`# TYPE` per family, histograms as cumulative
/// `_bucket{le=…}` series with `_sum` and `_count`.
public enum PrometheusText {
    /// The exposition's content type.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// - Parameters:
    ///   - domainFacts: the store's domain totals; when given they replace the `domain_*` counters
    ///     the workers report (the store's figures are exact, the snapshots' may miss a killed
    ///     worker's last second).
    public static func render(_ a: Aggregator, now: Double, domainFacts: [DomainFact]?) -> String {
        var out = ""
        var counters = a.totals.counters.filter { domainFacts == nil || !$0.key.name.hasPrefix("domain_") }
        for f in domainFacts ?? [] { counters[MetricKey("domain_" + f.name + "_total", f.labels), default: 0] += f.value }
        counters[MetricKey("collector_snapshots_received_total")] = Double(a.received)
        counters[MetricKey("collector_snapshots_invalid_total")] = Double(a.invalid)
        counters[MetricKey("collector_snapshots_lost_total")] = Double(a.lost)
        if a.intakeAuthRefused > 0 { counters[MetricKey("auth_refused_total", ["endpoint": "intake"]), default: 0] += Double(a.intakeAuthRefused) }
        family(counters, type: "counter", into: &out)

        var gauges: [MetricKey: Double] = [:]
        for (_, s) in a.sources {
            let live = a.isLive(s, now: now)
            let who = ["role": s.snapshot.source.role, "instance": s.snapshot.source.name]
            gauges[MetricKey("process_up", who)] = live ? 1 : 0
            guard live else { continue }
            // The process's own role and instance win over labels it sends: no process can speak for another.
            for g in s.snapshot.gauges { gauges[MetricKey(g.name, g.labels.merging(who) { _, own in own })] = g.value }
        }
        family(gauges, type: "gauge", into: &out)

        for (name, series) in Dictionary(grouping: a.totals.histograms, by: { $0.key.name }).sorted(by: { $0.key < $1.key }) {
            let full = "karez_" + name
            out += "# HELP \(full) \(help(name))\n# TYPE \(full) histogram\n"
            for (key, h) in series.sorted(by: { $0.key < $1.key }) {
                for (bound, count) in zip(LatencyHistogram.bounds, h.cumulative) {
                    out += "\(full)_bucket\(labels(key.labels, le: number(bound))) \(count)\n"
                }
                out += "\(full)_bucket\(labels(key.labels, le: "+Inf")) \(h.count)\n"
                out += "\(full)_sum\(labels(key.labels, le: nil)) \(number(h.sum))\n"
                out += "\(full)_count\(labels(key.labels, le: nil)) \(h.count)\n"
            }
        }
        return out
    }

    private static func family(_ values: [MetricKey: Double], type: String, into out: inout String) {
        for (name, series) in Dictionary(grouping: values, by: { $0.key.name }).sorted(by: { $0.key < $1.key }) {
            let full = "karez_" + name
            out += "# HELP \(full) \(help(name))\n# TYPE \(full) \(type)\n"
            for (key, v) in series.sorted(by: { $0.key < $1.key }) { out += "\(full)\(labels(key.labels, le: nil)) \(number(v))\n" }
        }
    }

    static func labels(_ labels: [MetricKey.Label], le: String?) -> String {
        var parts = labels.map { "\($0.name)=\"\(escape($0.value))\"" }
        if let le { parts.append("le=\"\(le)\"") }
        return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ s: String) -> String {
        guard s.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return s }
        return s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func help(_ name: String) -> String {
        if let h = helps[name] { return h }
        if name.hasPrefix("domain_") { return "Domain counter \(name.dropFirst(7)) of stored items, each item counted once." }
        return "Karez metric \(name)."
    }

    static let helps: [String: String] = [
        "items_accepted_total": "Items the brokers journalled and acknowledged, by kind.",
        "items_delivered_total": "Deliveries of items to workers (first and repeated), by kind.",
        "items_redelivered_total": "Deliveries after the first (lease lapsed, worker lost, retryable failure), by kind.",
        "items_done_total": "Items workers finished (stored or rejected) and the broker retired, by kind.",
        "items_failed_total": "FAIL answers from workers, by kind.",
        "items_dead_lettered_total": "Items moved to the dead-letter list, by kind.",
        "broker_refused_total": "Published items refused with NAK (unknown kind, not JSON, too large).",
        "broker_duplicates_total": "Published items within the dedup window, acknowledged and not queued again.",
        "broker_busy_total": "Published items answered BUSY because the queue was full.",
        "jobs_done_total": "Jobs a worker validated and enriched successfully, by kind.",
        "jobs_rejected_total": "Jobs a worker rejected as invalid, by kind and first error code.",
        "jobs_stored_total": "Items a worker stored for the first time, by kind.",
        "jobs_duplicate_total": "Items a worker found already stored (redelivered after a crash), by kind.",
        "store_batches_total": "Store transactions workers committed.",
        "store_failures_total": "Store transactions that failed (the jobs are retried).",
        "metrics_snapshots_dropped_total": "Snapshots a process dropped because the collector could not take them.",
        "collector_snapshots_received_total": "Metrics snapshots the collector took in.",
        "collector_snapshots_invalid_total": "Metrics snapshots the collector refused (schema, limits, another key's source, a second type).",
        "auth_refused_total": "Connections refused because their CURVE key is not allowed, by endpoint.",
        "collector_snapshots_lost_total": "Metrics snapshots known lost (gaps in their sequence numbers).",
        "stage_seconds": "Seconds per item in each stage (queued, dispatched, decode, validate, enrich, store, end_to_end), by kind.",
        "journal_sync_seconds": "Seconds each journal sync of the brokers took (a group commit's fdatasync; at a segment's end, sealing it): what fsynced acknowledgements wait for on the disk.",
        "process_up": "1 when the process sent a snapshot in the last 5 seconds.",
        "queue_items": "Items accepted and not yet done.",
        "queue_ready_items": "Items waiting for a worker.",
        "queue_oldest_age_seconds": "Age of the oldest item of the kind waiting for a worker (0 when none waits); scale workers on it.",
        "jobs_in_flight": "Jobs out with workers.",
        "queue_scheduled_items": "Items of the kind waiting for their not_before (delayed).",
        "kind_jobs_in_flight": "Jobs of the kind out with workers.",
        "kind_paused": "1 while the kind is paused (karez ctl pause).",
        "kind_concurrency_limit": "Most jobs of the kind out at once (karez ctl limit), 0 for no limit.",
        "kind_rate_limit": "Most deliveries of the kind per second (karez ctl limit), 0 for no limit.",
        "items_expired_total": "Items that ended expired: not started before their time to live ran out, by kind.",
        "items_cancelled_total": "Items an operator cancelled, by kind.",
        "workers_connected": "Workers registered with the broker.",
        "worker_credit": "Jobs the broker may still hand to its workers.",
        "worker_jobs_in_flight": "Jobs out with one worker.",
        "worker_registered": "1 while the worker is registered with a broker.",
        "worker_concurrency": "Threads a worker validates and enriches with.",
    ]
}
