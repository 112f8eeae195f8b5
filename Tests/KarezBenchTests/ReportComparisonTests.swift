import KarezProtocol
import Testing
@testable import KarezBench

@Suite("karez bench compare")
struct ReportComparisonTests {
    func report(open: Bool, itemsPerSecond: Double = 100_000, durable: Double? = 700_000, p99: Double = 2, ratioP99: Double? = 1.4, lost: Double = 0,
                cpu: (perItem: Double, cPerMessage: Double)? = nil) -> JSONValue {
        var o: [(String, JSONValue)] = [
            ("settings", .object(JSONObject([("mode", .string(open ? "open" : "closed"))] + (open ? [("rate", .number(500))] : [])))),
            ("items_per_s", .number(itemsPerSecond)),
            ("latency_ms", .object(JSONObject([("done", .object(JSONObject([("p50", .number(1)), ("p99", .number(p99)), ("p99.9", .number(4))])))]))),
            ("lost", .number(lost)),
        ]
        if !open, let durable { o.append(("baseline", .object(JSONObject([("durable_per_s", .number(durable)), ("ratio_durable", .number(itemsPerSecond / durable))])))) }
        if let cpu { o.append(("cpu_us_per_item", .number(cpu.perItem))) }
        if open, let ratioP99 {
            o.append(("baseline_open", .object(JSONObject([("ratio_done", .object(JSONObject([("p50", .number(2)), ("p99", .number(ratioP99)), ("p99.9", .number(1.2))])))]
                                                          + (cpu.map { [("cpu_us_per_message", JSONValue.number($0.cPerMessage))] } ?? [])))))
        }
        return .object(JSONObject(o))
    }

    @Test func yardstickRatiosAreComparedWhenBothCarryThem() throws {
        // B's machine is twice as slow (raw figures halve) but its ratio to the C queue is the same.
        let c = try ReportComparison(report(open: false), report(open: false, itemsPerSecond: 50_000, durable: 350_000), threshold: 5, raw: false)
        #expect(c.passes)
        #expect(c.basis.contains("ratios"))
        let raw = try ReportComparison(report(open: false), report(open: false, itemsPerSecond: 50_000, durable: 350_000), threshold: 5, raw: true)
        #expect(!raw.passes)
        #expect(raw.rows.first { $0.name == "items/s" }?.worsePercent == 50)
    }

    @Test func aLatencyRatioWorseThanTheThresholdFails() throws {
        let c = try ReportComparison(report(open: true), report(open: true, ratioP99: 1.6), threshold: 10, raw: false)
        #expect(!c.passes)
        let row = try #require(c.rows.first { $0.name == "done p99 ÷ C durable" })
        #expect(abs(row.worsePercent - 14.285) < 0.01)
        #expect(c.text.contains("FAIL"))
        #expect(try ReportComparison(report(open: true), report(open: true, ratioP99: 1.5), threshold: 10, raw: false).passes)
    }

    /// CPU per item over the C queue's per message at the same rate: a machine twice as slow
    /// doubles both and passes; Karez costing 20% more against the same C queue fails. A report
    /// of an earlier release without the figure is compared on the rest.
    @Test func cpuPerItemIsComparedByItsRatioToTheCQueue() throws {
        let a = report(open: true, cpu: (17, 14))
        #expect(try ReportComparison(a, report(open: true, cpu: (34, 28)), threshold: 5, raw: false).passes)
        let worse = try ReportComparison(a, report(open: true, cpu: (20.4, 14)), threshold: 5, raw: false)
        #expect(!worse.passes)
        let row = try #require(worse.rows.first { $0.name == "CPU per item ÷ C durable per message" })
        #expect(abs(row.worsePercent - 20) < 0.01)
        let raw = try ReportComparison(a, report(open: true, cpu: (34, 28)), threshold: 5, raw: true)
        #expect(raw.rows.first { $0.name == "CPU µs per item" }?.worsePercent == 100)
        let old = try ReportComparison(report(open: true), report(open: true, cpu: (20.4, 14)), threshold: 5, raw: false)
        #expect(old.passes && !old.rows.contains { $0.name.hasPrefix("CPU") })
        #expect(try ReportComparison(a, report(open: true), threshold: 5, raw: false).passes)
    }

    @Test func withoutAYardstickOnOneSideRawFiguresAreCompared() throws {
        let c = try ReportComparison(report(open: true), report(open: true, p99: 3, ratioP99: nil), threshold: 5, raw: false)
        #expect(c.basis == "raw figures")
        #expect(!c.passes, "p99 2 → 3 ms is 50% worse")
    }

    @Test func aLostItemAlwaysFails() throws {
        #expect(try !ReportComparison(report(open: false), report(open: false, lost: 1), threshold: 1000, raw: false).passes)
        #expect(try !ReportComparison(report(open: false, lost: 1), report(open: false, lost: 1), threshold: 1000, raw: false).passes, "as many lost as A is still lost")
    }

    @Test func runsOfOtherSettingsOrMissingFiguresAreRefused() throws {
        func with(_ r: JSONValue, rate: Double) -> JSONValue {
            guard case .object(var o) = r, case .object(var s)? = o["settings"] else { return r }
            s["rate"] = .number(rate)
            o["settings"] = .object(s)
            return .object(o)
        }
        // An open-loop run against a closed-loop one, or another rate: not the same measurement.
        #expect(throws: LoadError.self) { try ReportComparison(report(open: true), report(open: false), threshold: 5, raw: true) }
        #expect(throws: LoadError.self) { try ReportComparison(report(open: true), with(report(open: true), rate: 60_000), threshold: 5, raw: true) }
        // A figure B does not have cannot pass as 100% better.
        guard case .object(var b) = report(open: true) else { return }
        b["latency_ms"] = .object(JSONObject([("done", .object(JSONObject([("p50", .number(1))])))]))
        #expect(throws: LoadError.self) { try ReportComparison(report(open: true), .object(b), threshold: 5, raw: true) }
    }

    @Test func reportsOfDifferentShapesOrNotReportsAreRefused() throws {
        let sweep: JSONValue = .object(JSONObject([("sweep", .object(JSONObject([("closed_loop", report(open: false)), ("steps", .array([report(open: true)]))])))]))
        #expect(throws: LoadError.self) { try ReportComparison(report(open: false), sweep, threshold: 5, raw: false) }
        #expect(throws: LoadError.self) { try ReportComparison(report(open: false), .object(JSONObject([("x", .number(1))])), threshold: 5, raw: false) }
        let same = try ReportComparison(sweep, sweep, threshold: 0, raw: false)
        #expect(same.passes && same.rows.contains { $0.name.hasPrefix("step 1 (500/s) ") })
    }
}
