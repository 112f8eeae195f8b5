import KarezProtocol

/// Everything Karez needs to know of one kind of item, in one value: how a worker validates,
/// enriches and redacts it (its ``KindProcessor``), how synthetic items are made for demos and
/// load tests, and what its facts add to the domain report and the dashboard.
///
/// Each kind's folder defines one (`KindDescriptor.patient` in `Patient/PatientKind.swift`), and
/// ``KindRegistry`` lists it in one line; a program (or a test) adds its own with
/// ``KindRegistry/register(_:)``. Broker settings, workers, `karez gen`, the benchmarks, the report
/// and the dashboard all read the registry.
public struct KindDescriptor: Sendable {
    /// Validation, enrichment and redaction; its `kind` is the kind's name.
    public let processor: any KindProcessor
    /// Hands `count` synthetic items made from `seed` to `emit`, each with `"id"` and `"kind"`.
    public typealias Generator = @Sendable (_ count: Int, _ seed: UInt64, _ emit: (JSONValue) -> Void) -> Void

    /// The kind's generator; nil when it has none.
    public let generate: Generator?
    /// Sections the kind's facts add to the domain report and the dashboard (beyond the
    /// reference report's own sections for patients, leads and news).
    public let report: [ReportSection]

    /// The kind's name on the wire (the processor's `kind`).
    public var name: String { processor.kind }

    public init(processor: any KindProcessor, generate: Generator? = nil, report: [ReportSection] = []) {
        (self.processor, self.generate, self.report) = (processor, generate, report)
    }
}

/// A table of the domain report that a kind contributes: its figures, added up from the domain
/// facts of stored items.
public struct ReportSection: Sendable {
    /// The section's JSON member in the report's `sections` and its dashboard element.
    public let key: String
    /// The heading, in the text report and on the dashboard.
    public let title: String
    /// The table from every stored item's facts (the section picks its own).
    public let table: @Sendable ([DomainFact]) -> ReportTable

    public init(key: String, title: String, table: @escaping @Sendable ([DomainFact]) -> ReportTable) {
        (self.key, self.title, self.table) = (key, title, table)
    }

    /// The common section: the facts named `fact` summed by the value of one label, largest
    /// first, one row per value (`column`: the label's heading, `total`: the sum's).
    public static func grouped(key: String, title: String, fact: String, by label: String, column: String, total: String) -> ReportSection {
        ReportSection(key: key, title: title) { facts in
            var sums: [String: Double] = [:]
            for f in facts where f.name == fact { sums[f.labels[label] ?? "unknown", default: 0] += f.value }
            let rows = sums.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            return ReportTable(columns: [column, total], rows: rows.map { [$0.key, ReportTable.number($0.value)] })
        }
    }
}

/// Rows of text under column headings.
public struct ReportTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[String]]

    public init(columns: [String], rows: [[String]]) { (self.columns, self.rows) = (columns, rows) }

    /// A figure as a cell: whole numbers without a fraction, others to two decimals.
    public static func number(_ v: Double) -> String {
        guard v.isFinite else { return "\(v)" }
        return v == v.rounded() && abs(v) < 9e15 ? String(Int64(v)) : String((v * 100).rounded() / 100)
    }
}
