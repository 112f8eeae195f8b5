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

    /// Counts a batch and records the decode, validate, enrich (valid items) and store time of
    /// each job. Tallies the batch first, so the shared set sees one update per kind and key.
    static func record(jobs: [Job], outcomes: [JobOutcome], storeMicros: UInt64, into m: inout MetricSet) {
        var perKind: [String: (done: Int, decode: [UInt64], validate: [UInt64], enrich: [UInt64])] = [:]
        var rejected: [MetricKey: Int] = [:]
        for (job, outcome) in zip(jobs, outcomes) {
            perKind[job.kind, default: (0, [], [], [])].decode.append(outcome.decodeMicros)
            perKind[job.kind]!.validate.append(outcome.validateMicros)
            switch outcome.result {
            case .success:
                perKind[job.kind]!.done += 1
                perKind[job.kind]!.enrich.append(outcome.enrichMicros)
            case .failure(let e):
                rejected[MetricKey("jobs_rejected_total", ["kind": job.kind, "code": e.errors.first?.code ?? "invalid"]), default: 0] += 1
            }
        }
        for (kind, t) in perKind {
            let k = keys(kind)
            if t.done > 0 { m.add(k.done, Double(t.done)) }
            m.observe(k.decode, micros: t.decode)
            m.observe(k.validate, micros: t.validate)
            m.observe(k.enrich, micros: t.enrich)
            m.observe(k.store, micros: storeMicros, count: t.decode.count)
        }
        for (key, n) in rejected { m.add(key, Double(n)) }
        m.add("store_batches_total")
    }

    /// Counts stored items and adds the domain facts of those stored now, never of duplicates
    /// (a redelivered item that was already stored adds nothing).
    static func recordStored(_ stored: [StoredItem], duplicates: Set<String>, into m: inout MetricSet) {
        var perKind: [String: (stored: Int, duplicate: Int)] = [:]
        var facts: [DomainFact] = []
        for item in stored {
            guard !duplicates.contains(item.id) else {
                perKind[item.kind, default: (0, 0)].duplicate += 1
                continue
            }
            perKind[item.kind, default: (0, 0)].stored += 1
            facts += item.facts
        }
        for (kind, n) in perKind {
            let k = keys(kind)
            if n.stored > 0 { m.add(k.stored, Double(n.stored)) }
            if n.duplicate > 0 { m.add(k.duplicate, Double(n.duplicate)) }
        }
        for (group, value) in DomainFact.sum(facts) { m.add("domain_" + group.name + "_total", group.labels, value) }
    }
}
