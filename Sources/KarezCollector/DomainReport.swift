import KarezDomain
import KarezProtocol

/// The domain report: patients seen, leads and investment, news per outlet, added up from the
/// domain facts of stored items (the store's totals, exact under redelivery). Pure.
public struct DomainReport: Sendable, Equatable {
    /// Visits at one facility, by kind.
    public struct Facility: Sendable, Equatable {
        public var name: String
        public var byKind: [String: Int]
        /// Outpatient, inpatient and consultation visits (patients seen).
        public var visits: Int { ["outpatient", "inpatient", "consult"].reduce(into: 0) { $0.addSaturating(byKind[$1] ?? 0) } }
        /// Visits, health checks and surgeries together (the order of the facility table).
        var all: Int { [checkups, surgeries].reduce(into: visits) { $0.addSaturating($1) } }
        public var checkups: Int { byKind["checkup"] ?? 0 }
        public var surgeries: Int { byKind["surgery"] ?? 0 }
    }

    public var facilities: [Facility] = []
    public var visitsByKind: [String: Int] = [:]
    public var visitsByDepartment: [String: Int] = [:]
    /// Leads that reached each stage (contacted ⊇ agreement_signed ⊇ landed).
    public var leadsReached: [String: Int] = [:]
    /// Amount (yuan) of the leads now at each stage.
    public var leadAmountByStage: [String: Double] = [:]
    public var leadsBySector: [String: Int] = [:]
    public var storiesBySource: [String: Int] = [:]
    public var storiesByTopic: [String: Int] = [:]
    /// Amounts (yuan) the stories mention, by outlet.
    public var newsAmountBySource: [String: Double] = [:]
    /// Where the figures come from (`sqlite:…`, `postgres://…` or `metrics`).
    public var origin: String
    /// The tables further kinds add (their descriptors' ``ReportSection``s), in the text report,
    /// the JSON (`sections`) and on the dashboard.
    public var sections: [Section] = []

    /// One kind's table.
    public struct Section: Sendable, Equatable {
        public var key: String
        public var title: String
        public var table: ReportTable
    }

    /// Adds up `facts` (name, labels, value) as the kinds' processors emit them; `sections` are
    /// the further tables to build from them (by default every registered kind's).
    public init(facts: [DomainFact], origin: String, sections: [ReportSection] = KindRegistry.reportSections) {
        self.origin = origin
        self.sections = sections.map { Section(key: $0.key, title: $0.title, table: $0.table(facts)) }
        var byFacility: [String: [String: Int]] = [:]
        for f in facts {
            // Counts are whole and small; a damaged or hostile total must not trap.
            let n = f.value.isFinite && abs(f.value) < 9e18 ? Int(f.value.rounded()) : 0
            switch f.name {
            case "patient_visits":
                let kind = f.labels["kind"] ?? "unknown"
                byFacility[f.labels["facility"] ?? "unknown", default: [:]][kind, default: 0].addSaturating(n)
                visitsByKind[kind, default: 0].addSaturating(n)
                visitsByDepartment[f.labels["department"] ?? "unknown", default: 0].addSaturating(n)
            case "leads_reached": leadsReached[f.labels["stage"] ?? "unknown", default: 0].addSaturating(n)
            case "lead_amount_cny": leadAmountByStage[f.labels["stage"] ?? "unknown", default: 0] += f.value
            case "leads": leadsBySector[f.labels["sector_class"] ?? "unknown", default: 0].addSaturating(n)
            case "news_stories": storiesBySource[f.labels["source"] ?? "unknown", default: 0].addSaturating(n)
            case "news_topic_stories": storiesByTopic[f.labels["topic"] ?? "unknown", default: 0].addSaturating(n)
            case "news_amount_cny": newsAmountBySource[f.labels["source"] ?? "unknown", default: 0] += f.value
            default: break
            }
        }
        facilities = byFacility.map { Facility(name: $0.key, byKind: $0.value) }
            .sorted { ($0.all, $1.name) > ($1.all, $0.name) }
    }

    public var surgeries: Int { visitsByKind["surgery"] ?? 0 }
    public var stories: Int { storiesBySource.values.reduce(into: 0) { $0.addSaturating($1) } }
    /// Investment of the leads that signed or landed, in yuan.
    public var investmentSignedOrLanded: Double { (leadAmountByStage["agreement_signed"] ?? 0) + (leadAmountByStage["landed"] ?? 0) }
    public var investmentLanded: Double { leadAmountByStage["landed"] ?? 0 }
    public var newsAmount: Double { newsAmountBySource.values.reduce(0, +) }

    /// The report as JSON (the `/api/report` body and `karez report --format json`).
    public var json: JSONValue {
        func counts(_ d: [String: Int]) -> JSONValue { .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .number(Double($0.value))) })) }
        func sums(_ d: [String: Double]) -> JSONValue { .object(JSONObject(d.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })) }
        return [
            "origin": .string(origin),
            "patients": [
                "facilities": .array(facilities.map { f in
                    ["name": .string(f.name), "visits": .number(Double(f.visits)), "checkups": .number(Double(f.checkups)),
                     "surgeries": .number(Double(f.surgeries)), "by_kind": counts(f.byKind)]
                }),
                "visits_by_kind": counts(visitsByKind),
                "visits_by_department": counts(visitsByDepartment),
                "surgeries": .number(Double(surgeries)),
            ],
            "leads": [
                "reached": counts(leadsReached),
                "amount_cny_by_stage": sums(leadAmountByStage),
                "investment_signed_or_landed_cny": .number(investmentSignedOrLanded),
                "investment_landed_cny": .number(investmentLanded),
                "by_sector_class": counts(leadsBySector),
            ],
            "news": [
                "stories": .number(Double(stories)),
                "stories_by_source": counts(storiesBySource),
                "stories_by_topic": counts(storiesByTopic),
                "amount_cny_by_source": sums(newsAmountBySource),
                "amount_cny": .number(newsAmount),
            ],
            "sections": .array(sections.map { s in
                ["key": .string(s.key), "title": .string(s.title), "columns": .array(s.table.columns.map { .string($0) }),
                 "rows": .array(s.table.rows.map { .array($0.map { .string($0) }) })]
            }),
        ]
    }
}

extension Int {
    /// Adds `x`, stopping at `Int.max` (or `Int.min`) instead of trapping: totals come from
    /// the store and from peers' snapshots, and no value of theirs may stop the collector.
    mutating func addSaturating(_ x: Int) {
        let (sum, overflow) = addingReportingOverflow(x)
        self = overflow ? (x > 0 ? .max : .min) : sum
    }
}
