import KarezMetrics
import KarezProtocol

/// The `/api/summary` body: what the dashboard and `karez top` show.
public enum Summary {
    /// The stages in pipeline order.
    public static let stages = ["queued", "dispatched", "decode", "validate", "enrich", "store", "end_to_end"]

    public static func json(_ a: Aggregator, now: Double, report: DomainReport?) -> JSONValue {
        let t = a.totals
        let last = a.series.last
        func n(_ v: Double) -> JSONValue { .number(v.isFinite ? v : 0) }
        func latency(_ h: BucketHistogram) -> JSONValue {
            ["count": n(Double(h.count)), "mean": n(h.count == 0 ? 0 : h.sum / Double(h.count)),
             "p50": n(h.quantile(0.5)), "p90": n(h.quantile(0.9)), "p99": n(h.quantile(0.99)), "p999": n(h.quantile(0.999))]
        }
        // Item kinds: a domain counter's `kind` label is a domain value (a visit's kind).
        let kinds = Set(t.counters.keys.filter { !$0.name.hasPrefix("domain_") }.compactMap { $0[label: "kind"] }).union(a.queueKinds(now: now)).sorted()
        let json: JSONValue = [
            "time": .string(RFC3339.format(epochSeconds: now)),
            "totals": [
                "accepted": n(t.counter("items_accepted_total")), "done": n(t.counter("items_done_total")),
                "redelivered": n(t.counter("items_redelivered_total")), "dead_lettered": n(t.counter("items_dead_lettered_total")),
                "refused": n(t.counter("broker_refused_total")), "duplicates": n(t.counter("broker_duplicates_total")),
                "busy": n(t.counter("broker_busy_total")), "stored": n(t.counter("jobs_stored_total")),
                "rejected": n(t.counter("jobs_rejected_total")), "store_failures": n(t.counter("store_failures_total")),
            ],
            "rates": ["accepted_per_s": n(last?.acceptedPerSecond ?? 0), "done_per_s": n(last?.donePerSecond ?? 0)],
            "queue": ["items": n(a.gauge("queue_items", now: now)), "ready": n(a.gauge("queue_ready_items", now: now)),
                      "in_flight": n(a.gauge("jobs_in_flight", now: now))],
            "latency_seconds": .object(JSONObject(stages.map { ($0, latency(t.histogram("stage_seconds", ["stage": $0]))) })),
            "kinds": .object(JSONObject(kinds.map { k in
                (k, ["accepted": n(t.counter("items_accepted_total", ["kind": k])), "done": n(t.counter("items_done_total", ["kind": k])),
                     "stored": n(t.counter("jobs_stored_total", ["kind": k])), "rejected": n(t.counter("jobs_rejected_total", ["kind": k])),
                     "dead_lettered": n(t.counter("items_dead_lettered_total", ["kind": k])),
                     "expired": n(t.counter("items_expired_total", ["kind": k])), "cancelled": n(t.counter("items_cancelled_total", ["kind": k])),
                     // Control over work (PROTOCOL.md 3.6, 3.7): across brokers, a kind paused on any is shown paused.
                     "scheduled": n(a.gauge("queue_scheduled_items", kind: k, now: now)),
                     "in_flight": n(a.gauge("kind_jobs_in_flight", kind: k, now: now)),
                     "oldest_age_s": n(a.gauge("queue_oldest_age_seconds", kind: k, now: now, combine: max)),
                     "paused": .bool(a.gauge("kind_paused", kind: k, now: now, combine: max) > 0),
                     "concurrency_limit": n(a.gauge("kind_concurrency_limit", kind: k, now: now)),
                     "rate_limit": n(a.gauge("kind_rate_limit", kind: k, now: now))] as JSONValue)
            })),
            "processes": .array(a.sources.values.sorted { ($0.snapshot.source.role, $0.snapshot.source.name) < ($1.snapshot.source.role, $1.snapshot.source.name) }.map { s in
                let src = s.snapshot.source
                return ["role": .string(src.role), "name": .string(src.name), "host": .string(src.host), "pid": n(Double(src.pid)),
                        "live": .bool(a.isLive(s, now: now)), "last_seen_s": n(now - s.receivedAt), "uptime_s": n(s.snapshot.uptimeSeconds),
                        "done": n(s.totals.counter(src.role == "broker" ? "items_done_total" : "jobs_stored_total"))]
            }),
            "collector": ["received": n(Double(a.received)), "invalid": n(Double(a.invalid)), "lost": n(Double(a.lost))],
            "series": .array(a.series.map { p in
                ["t": n(p.time), "accepted_per_s": n(p.acceptedPerSecond), "done_per_s": n(p.donePerSecond),
                 "queue": n(p.queueItems), "in_flight": n(p.inFlight), "p50_ms": n(p.p50 * 1000), "p99_ms": n(p.p99 * 1000)]
            }),
        ]
        guard let report, case .object(var o) = json else { return json }
        o["report"] = report.json
        return .object(o)
    }
}
