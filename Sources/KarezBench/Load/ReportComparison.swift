import KarezCollector
import KarezProtocol

/// `karez bench compare A.json B.json`: B against A, figure by figure, with a pass/fail
/// threshold for CI. Where both reports carry their yardstick, the figures compared are the ratios
/// to it (so two machines, or two noisy runs of one, compare fairly); `raw` compares the raw ones.
public struct ReportComparison: Sendable {
    /// One compared figure.
    public struct Row: Sendable {
        public var name: String
        public var a: Double
        public var b: Double
        public var higherIsBetter: Bool
        /// Fails at any increase, whatever the threshold (lost items).
        public var strict = false
        /// How much worse B is than A, in percent (negative: better).
        public var worsePercent: Double {
            guard a != 0 else { return b == 0 ? 0 : (higherIsBetter ? -100 : 100) }
            return (higherIsBetter ? (a - b) / a : (b - a) / a) * 100
        }

        func fails(_ threshold: Double) -> Bool { strict ? b > 0 : worsePercent > threshold }
    }

    public var rows: [Row] = []
    public var threshold: Double
    /// What was compared: yardstick ratios, or raw figures.
    public var basis: String

    /// - Parameters:
    ///   - a, b: `karez bench --json` reports (a load run or a sweep: a sweep is compared by its
    ///     closed-loop run and its steps, in order).
    ///   - threshold: percent by which B may be worse than A on any figure.
    public init(_ a: JSONValue, _ b: JSONValue, threshold: Double, raw: Bool) throws {
        self.threshold = threshold
        let runsA = try Self.runs(a, "A"), runsB = try Self.runs(b, "B")
        guard runsA.count == runsB.count else {
            throw LoadError("the reports differ in shape: A has \(runsA.count) runs, B has \(runsB.count) (compare a load run with a load run, a sweep with a sweep of as many steps)")
        }
        let yardsticks = !raw && zip(runsA, runsB).allSatisfy { Self.hasYardstick($0) && Self.hasYardstick($1) }
        basis = yardsticks ? "ratios to the C yardstick measured in each run" : "raw figures"
        for (i, (ra, rb)) in zip(runsA, runsB).enumerated() {
            let label = runsA.count == 1 ? "" : Self.label(ra, i)
            try Self.checkSameSettings(ra, rb, what: label.isEmpty ? "the runs" : label.trimmingCharacters(in: .whitespaces), rates: runsA.count == 1)
            let bs = Self.figures(rb, yardstick: yardsticks)
            for (name, value, higher) in Self.figures(ra, yardstick: yardsticks) {
                guard let match = bs.first(where: { $0.0 == name }) else {
                    // CPU per item is in reports since it was measured; an older one lacks it.
                    if Self.optionalFigures.contains(name) { continue }
                    throw LoadError("B has no \(label)\(name) to compare (written by another version of karez bench?)")
                }
                rows.append(Row(name: label + name, a: value, b: match.1, higherIsBetter: higher, strict: name == "lost"))
            }
        }
    }

    /// Runs compare only when they measured the same thing: mode, kind, fsync, priorities, delay, item size and
    /// (for two load runs; a sweep's rates are fractions of each run's own maximum) the rate.
    static func checkSameSettings(_ a: JSONValue, _ b: JSONValue, what: String, rates: Bool) throws {
        let sa = a["settings"], sb = b["settings"]
        for key in ["mode", "kind", "fsync"] where sa?[key]?.stringValue != sb?[key]?.stringValue {
            throw LoadError("\(what) differ in \(key): A \(sa?[key]?.stringValue ?? "-"), B \(sb?[key]?.stringValue ?? "-"); compare runs of the same settings")
        }
        func near(_ key: String, _ tolerance: Double) -> Bool {
            let x = sa?[key]?.numberValue, y = sb?[key]?.numberValue
            guard let x, let y else { return x == nil && y == nil }
            return abs(x - y) <= tolerance * max(abs(x), abs(y))
        }
        // Reports from before these settings existed used none of them.
        for (key, none) in [("priorities", 1.0), ("delay_ms", 0.0)] where (sa?[key]?.numberValue ?? none) != (sb?[key]?.numberValue ?? none) {
            throw LoadError("\(what) differ in \(key): A \(sa?[key]?.numberValue ?? none), B \(sb?[key]?.numberValue ?? none); compare runs of the same settings")
        }
        if !near("item_bytes", 0.05) { throw LoadError("\(what) differ in item size; compare runs of the same settings") }
        if rates && !near("rate", 0.01) { throw LoadError("\(what) differ in rate; compare runs of the same settings") }
    }

    /// True when B is no worse than A by more than the threshold on every figure.
    public var passes: Bool { !rows.contains { $0.fails(threshold) } }

    public var text: String {
        var out = ["karez bench compare: B against A, by \(basis); a figure fails when B is more than \(String(format: "%g", threshold))% worse (lost: B may lose none)"]
        out.append("figure".padding(toLength: 40, withPad: " ", startingAt: 0) + pad("A", 12) + pad("B", 12) + pad("worse by", 10) + "  verdict")
        for r in rows {
            out.append(r.name.padding(toLength: 40, withPad: " ", startingAt: 0) + pad(num(r.a), 12) + pad(num(r.b), 12)
                       + pad(String(format: "%+.1f%%", r.worsePercent), 10) + (r.fails(threshold) ? "  FAIL" : "  ok"))
        }
        out.append(passes ? "pass" : "FAIL: \(rows.filter { $0.fails(threshold) }.count) figure(s) worse than the threshold, or B lost items")
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: Reading reports

    /// The load runs of a report: itself, or a sweep's closed-loop run and steps.
    static func runs(_ r: JSONValue, _ which: String) throws -> [JSONValue] {
        if let sweep = r["sweep"] {
            guard let closed = sweep["closed_loop"], let steps = sweep["steps"]?.arrayValue else { throw LoadError("\(which) is a sweep without its runs") }
            return [closed] + steps
        }
        guard r["latency_ms"] != nil, r["items_per_s"] != nil else {
            throw LoadError("\(which) is not a karez bench --json report (no items_per_s or latency_ms)")
        }
        return [r]
    }

    static func hasYardstick(_ r: JSONValue) -> Bool {
        r["settings"]?["mode"]?.stringValue == "open" ? r["baseline_open"] != nil : r["baseline"]?["durable_per_s"] != nil
    }

    static func label(_ r: JSONValue, _ i: Int) -> String {
        if let rate = r["settings"]?["rate"]?.numberValue { return "step \(i) (\(Int(rate))/s) " }
        return "closed loop "
    }

    /// (name, value, higher is better) of one run.
    static func figures(_ r: JSONValue, yardstick: Bool) -> [(String, Double, Bool)] {
        let open = r["settings"]?["mode"]?.stringValue == "open"
        var out: [(String, Double, Bool)] = []
        if !open {
            if yardstick, let ratio = r["baseline"]?["ratio_durable"]?.numberValue {
                out.append(("throughput ÷ C durable", ratio, true))
            } else if let v = r["items_per_s"]?.numberValue {
                out.append(("items/s", v, true))
            }
        }
        // A closed loop's latency is mostly the window it was given, and has no yardstick.
        for p in ["p50", "p99", "p99.9"] where open || !yardstick {
            if open && yardstick, let v = r["baseline_open"]?["ratio_done"]?[p]?.numberValue {
                out.append(("done \(p) ÷ C durable", v, false))
            } else if let v = r["latency_ms"]?["done"]?[p]?.numberValue {
                out.append(("done \(p) ms", v, false))
            }
        }
        // CPU per item is steadier than latency on a shared machine: a regression in cost shows
        // there first. Open loop with the yardstick: over the C queue's CPU per message at the
        // same rate (both measured in the run); otherwise raw.
        if let cpu = r["cpu_us_per_item"]?.numberValue, cpu > 0 {
            if open && yardstick, let c = r["baseline_open"]?["cpu_us_per_message"]?.numberValue, c > 0 {
                out.append((Self.cpuRatioFigure, cpu / c, false))
            } else if !yardstick {
                out.append((Self.cpuRawFigure, cpu, false))
            }
        }
        out.append(("lost", r["lost"]?.numberValue ?? 0, false))
        return out
    }

    /// Figures a report of an earlier release may lack: compared only when both have them.
    static let optionalFigures: Set<String> = [cpuRatioFigure, cpuRawFigure]
    static let cpuRatioFigure = "CPU per item ÷ C durable per message"
    static let cpuRawFigure = "CPU µs per item"

    func num(_ v: Double) -> String { v >= 1000 ? ReportText.grouped(v) : String(format: v >= 10 ? "%.1f" : "%.3f", v) }
    func pad(_ s: String, _ w: Int) -> String { LoadReport.pad(s, w) }
}
