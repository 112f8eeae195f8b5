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

        func fails(_ threshold: Double) -> Bool { strict ? b > a : worsePercent > threshold }
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
            rows += Self.figures(ra, yardstick: yardsticks).map { name, value, higher in
                Row(name: label + name, a: value, b: 0, higherIsBetter: higher, strict: name == "lost")
            }
            let bs = Self.figures(rb, yardstick: yardsticks)
            for j in rows.indices where rows[j].name.hasPrefix(label) {
                if let match = bs.first(where: { label + $0.0 == rows[j].name }) { rows[j].b = match.1 }
            }
        }
    }

    /// True when B is no worse than A by more than the threshold on every figure.
    public var passes: Bool { !rows.contains { $0.fails(threshold) } }

    public var text: String {
        var out = ["karez bench compare: B against A, by \(basis); a figure fails when B is more than \(String(format: "%g", threshold))% worse (lost: at any increase)"]
        out.append("figure".padding(toLength: 40, withPad: " ", startingAt: 0) + pad("A", 12) + pad("B", 12) + pad("worse by", 10) + "  verdict")
        for r in rows {
            out.append(r.name.padding(toLength: 40, withPad: " ", startingAt: 0) + pad(num(r.a), 12) + pad(num(r.b), 12)
                       + pad(String(format: "%+.1f%%", r.worsePercent), 10) + (r.fails(threshold) ? "  FAIL" : "  ok"))
        }
        out.append(passes ? "pass" : "FAIL: \(rows.filter { $0.fails(threshold) }.count) figure(s) worse than the threshold (lost: any increase)")
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
        for p in ["p50", "p99", "p99.9"] {
            if open && yardstick, let v = r["baseline_open"]?["ratio_done"]?[p]?.numberValue {
                out.append(("done \(p) ÷ C durable", v, false))
            } else if let v = r["latency_ms"]?["done"]?[p]?.numberValue {
                out.append(("done \(p) ms", v, false))
            }
        }
        out.append(("lost", r["lost"]?.numberValue ?? 0, false))
        return out
    }

    func num(_ v: Double) -> String { v >= 1000 ? ReportText.grouped(v) : String(format: v >= 10 ? "%.1f" : "%.3f", v) }
    func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(0, w - s.count)) + s }
}
