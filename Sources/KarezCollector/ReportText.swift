/// The domain report as text for a terminal, or as Markdown.
public enum ReportText {
    public enum Format: String, CaseIterable, Sendable { case text, markdown, json }

    /// Renders `r` in `format` (JSON is written by the caller from ``DomainReport/json``).
    public static func render(_ r: DomainReport, markdown: Bool) -> String {
        var out: [String] = []
        var widths: [Int] = []
        func heading(_ s: String) { out.append(markdown ? "\n## \(s)\n" : "\n\(s)") }
        func row(_ cells: [String]) {
            out.append(markdown ? "| " + cells.joined(separator: " | ") + " |" : "  " + cells.enumerated().map { i, c in
                i == 0 ? pad(c, 28) : pad(c, i < widths.count ? widths[i] : 10, right: true)
            }.joined(separator: " "))
        }
        func header(_ cells: [String]) {
            widths = cells.map { max(10, $0.count) }
            row(cells)
            if markdown { out.append("|" + cells.map { _ in "---" }.joined(separator: "|") + "|") }
        }
        out.append(markdown ? "# Karez domain report" : "Karez domain report")
        out.append("(figures from \(r.origin); each stored item counted once)")

        heading("Patients seen")
        header(["facility", "visits", "outpatient", "inpatient", "consult", "checkups", "surgeries"])
        for f in r.facilities {
            row([f.name, "\(f.visits)", "\(f.byKind["outpatient"] ?? 0)", "\(f.byKind["inpatient"] ?? 0)",
                 "\(f.byKind["consult"] ?? 0)", "\(f.checkups)", "\(f.surgeries)"])
        }
        out.append((markdown ? "\n" : "  ") + "surgeries in all: \(r.surgeries); health checks in all: \(r.visitsByKind["checkup"] ?? 0)")

        heading("Investment leads")
        header(["stage", "leads reached", "amount now at stage (CNY)"])
        for stage in ["contacted", "agreement_signed", "landed"] {
            row([stage, "\(r.leadsReached[stage] ?? 0)", grouped(r.leadAmountByStage[stage] ?? 0)])
        }
        out.append((markdown ? "\n" : "  ") + "enterprises contacted \(r.leadsReached["contacted"] ?? 0), agreements signed \(r.leadsReached["agreement_signed"] ?? 0), projects landed \(r.leadsReached["landed"] ?? 0); investment signed or landed \(grouped(r.investmentSignedOrLanded)) CNY")

        heading("News stories per outlet")
        header(["outlet", "stories", "amounts mentioned (CNY)"])
        for (source, n) in r.storiesBySource.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            row([source, "\(n)", grouped(r.newsAmountBySource[source] ?? 0)])
        }
        out.append((markdown ? "\n" : "  ") + "stories in all: \(r.stories); aid and other amounts mentioned: \(grouped(r.newsAmount)) CNY")

        for section in r.sections {
            heading(section.title)
            header(section.table.columns)
            for cells in section.table.rows { row(cells) }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A whole number with thousands separators (1,036,000,000), for yuan and items/s alike.
    public static func grouped(_ v: Double) -> String {
        // Beyond 64-bit integers (or not finite): scientific notation, never a trap.
        guard v.isFinite, abs(v) < 9.2e18 else { return v.isFinite ? String(format: "%.4g", v) : "\(v)" }
        let digits = String(Int64(v.rounded()))
        var out = ""
        for (i, ch) in digits.reversed().enumerated() {
            if i > 0, i % 3 == 0, ch != "-" { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    /// Pads to a display width, counting CJK characters as two columns.
    static func pad(_ s: String, _ width: Int, right: Bool = false) -> String {
        let w = s.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 && $1.value <= 0xFFEF ? 2 : 1) }
        let space = String(repeating: " ", count: max(0, width - w))
        return right ? space + s : s + space
    }
}
