import KarezMetrics
import KarezProtocol
import KarezStore

/// How a worker turns a finished batch into metrics: counters per kind and outcome, the
/// latency of each stage it runs, and the domain counters of the items it stored first.
enum WorkerMetrics {
    /// Counts a batch and records the decode, validate+enrich and store time of each job.
    static func record(jobs: [Job], outcomes: [JobOutcome], storeMicros: UInt64, into m: inout MetricSet) {
        for (job, outcome) in zip(jobs, outcomes) {
            let kind = job.kind
            switch outcome.result {
            case .success: m.add(MetricKey("jobs_done_total", ["kind": kind]))
            case .failure(let e): m.add(MetricKey("jobs_rejected_total", ["kind": kind, "code": e.errors.first?.code ?? "invalid"]))
            }
            m.observe(MetricKey("stage_seconds", ["kind": kind, "stage": "decode"]), micros: outcome.decodeMicros)
            m.observe(MetricKey("stage_seconds", ["kind": kind, "stage": "validate_enrich"]), micros: outcome.processMicros)
            m.observe(MetricKey("stage_seconds", ["kind": kind, "stage": "store"]), micros: storeMicros)
        }
        m.add("store_batches_total")
    }

    /// Counts stored items and adds the domain facts of those stored now, never of duplicates
    /// (a redelivered item that was already stored adds nothing).
    static func recordStored(_ stored: [StoredItem], duplicates: Set<String>, into m: inout MetricSet) {
        for item in stored {
            guard !duplicates.contains(item.id) else {
                m.add(MetricKey("jobs_duplicate_total", ["kind": item.kind]))
                continue
            }
            m.add(MetricKey("jobs_stored_total", ["kind": item.kind]))
            for fact in item.facts {
                m.add("domain_" + fact.name + "_total", fact.labels, fact.value)
            }
        }
    }
}
