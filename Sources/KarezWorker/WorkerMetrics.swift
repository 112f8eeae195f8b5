import KarezDomain
import KarezMetrics
import KarezProtocol
import KarezStore

/// How a worker turns a finished batch into metrics: counters per kind and outcome, the
/// latency of each stage it runs, and the domain counters of the items it stored first.
enum WorkerMetrics {
    /// The metric keys of one kind, built once (keys hash and sort their labels when built).
    struct KindKeys: Sendable {
        let done, stored, duplicate, decode, validate, enrich, store: MetricKey
        init(_ kind: String) {
            let k = ["kind": kind]
            done = MetricKey("jobs_done_total", k)
            stored = MetricKey("jobs_stored_total", k)
            duplicate = MetricKey("jobs_duplicate_total", k)
            decode = MetricKey("stage_seconds", ["kind": kind, "stage": "decode"])
            validate = MetricKey("stage_seconds", ["kind": kind, "stage": "validate"])
            enrich = MetricKey("stage_seconds", ["kind": kind, "stage": "enrich"])
            store = MetricKey("stage_seconds", ["kind": kind, "stage": "store"])
        }
    }

    static let known: [String: KindKeys] = Dictionary(uniqueKeysWithValues: KindRegistry.kindNames.map { ($0, KindKeys($0)) })
    static func keys(_ kind: String) -> KindKeys { known[kind] ?? KindKeys(kind) }

    /// Counts jobs acknowledged without processing (`--noop`).
    static func recordNoop(_ jobs: [Job], into m: inout MetricSet) {
        var perKind: [String: Int] = [:]
        for job in jobs { perKind[job.kind, default: 0] += 1 }
        for (kind, n) in perKind { m.add(keys(kind).done, Double(n)) }
    }

    /// Counts a batch and records the decode, validate, enrich (valid items) and store time of each job.
    static func record(jobs: [Job], outcomes: [JobOutcome], storeMicros: UInt64, into m: inout MetricSet) {
        for (job, outcome) in zip(jobs, outcomes) {
            let k = keys(job.kind)
            switch outcome.result {
            case .success: m.add(k.done)
            case .failure(let e): m.add(MetricKey("jobs_rejected_total", ["kind": job.kind, "code": e.errors.first?.code ?? "invalid"]))
            }
            m.observe(k.decode, micros: outcome.decodeMicros)
            m.observe(k.validate, micros: outcome.validateMicros)
            if case .success = outcome.result { m.observe(k.enrich, micros: outcome.enrichMicros) }
            m.observe(k.store, micros: storeMicros)
        }
        m.add("store_batches_total")
    }

    /// Counts stored items and adds the domain facts of those stored now, never of duplicates
    /// (a redelivered item that was already stored adds nothing).
    static func recordStored(_ stored: [StoredItem], duplicates: Set<String>, into m: inout MetricSet) {
        for item in stored {
            let k = keys(item.kind)
            guard !duplicates.contains(item.id) else {
                m.add(k.duplicate)
                continue
            }
            m.add(k.stored)
            for fact in item.facts {
                m.add("domain_" + fact.name + "_total", fact.labels, fact.value)
            }
        }
    }
}
