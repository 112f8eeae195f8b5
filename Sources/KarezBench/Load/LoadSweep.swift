import Foundation
import Histogram
import KarezCollector
import KarezProtocol

/// `karez bench --sweep`: the latency-against-load curve. A closed-loop run finds the most items
/// per second done; then open-loop runs step the rate from 1/steps of it to all of it, each with
/// the C durable queue measured at the same rate beside it.
public struct LoadSweep: Sendable {
    public var settings: LoadSettings
    public var steps = 10
    /// Seconds of each open-loop step.
    public var stepSeconds = 10.0
    /// Items of the closed-loop run that finds the maximum.
    public var closedCount = 300_000
    public var log: @Sendable (String) -> Void = { _ in }

    public init(settings: LoadSettings) { self.settings = settings }

    public func run() async throws -> SweepReport {
        var closed = settings
        (closed.rate, closed.rampTo, closed.duration, closed.count) = (nil, nil, nil, closedCount)
        closed.runID = settings.runID + "-max"
        var first = LoadRun(settings: closed)
        (first.baseline, first.log) = (true, log)
        let max = try await first.run()
        guard max.lost == 0, max.itemsPerSecond > 0 else { return SweepReport(closed: max, steps: []) }
        log("karez bench: sweep: \(Int(max.itemsPerSecond)) items/s closed loop; \(steps) open-loop steps of \(Int(stepSeconds)) s")
        var reports: [LoadReport] = []
        for i in 1...steps {
            var s = settings
            (s.rate, s.rampTo, s.count, s.duration) = (max.itemsPerSecond * Double(i) / Double(steps), nil, nil, stepSeconds)
            s.runID = settings.runID + "-s\(i)"
            var step = LoadRun(settings: s)
            (step.baseline, step.log) = (true, log)
            let r = try await step.run()
            log("karez bench: sweep step \(i)/\(steps): \(Int(s.rate!)) items/s, intended→done p99 \(String(format: "%.2f", Double(r.result.doneLatency.valueAtPercentile(99)) / 1000)) ms")
            reports.append(r)
            if r.lost > 0 { break }
        }
        return SweepReport(closed: max, steps: reports)
    }
}

/// What a sweep measured: the closed-loop maximum and one open-loop report per step.
public struct SweepReport: Sendable {
    public var closed: LoadReport
    public var steps: [LoadReport]

    public var lost: Int { closed.lost + steps.reduce(0) { $0 + $1.lost } }

    static let columns: [(String, Double)] = [("p50", 50), ("p99", 99), ("p99.9", 99.9)]

    /// One row per step: the rate, Karez's intended→done percentiles, the C durable queue's at the
    /// same rate and their ratio.
    public var text: String {
        let s = closed.settings
        var out = ["karez bench --sweep: kind \(s.kind) (\(closed.itemBytes) B), fsync \(s.fsync), closed-loop maximum \(ReportText.grouped(closed.itemsPerSecond)) items/s done"
                   + (closed.baselines.map { " (\(String(format: "%.3f", closed.ackRate / Swift.max(1, $0.durable))) of the C durable queue's \(ReportText.grouped($0.durable)) msgs/s)" } ?? "")]
        out.append("rate items/s  % of max   Karez intended→done ms      C durable→ack ms           done ÷ C    lost   CPU µs per item")
        out.append("                          p50     p99   p99.9       p50     p99   p99.9        p99           Karez  C durable")
        for r in steps {
            let rate = r.settings.rate ?? 0
            let k = Self.columns.map { ms(r.result.doneLatency, $0.1) }
            let c = Self.columns.map { column in r.openBaseline.map { ms($0.latency, column.1) } ?? "-" }
            let ratio = r.yardstickRatios.first { $0.0 == "p99" }.map { String(format: "%.2f", $0.1) } ?? "-"
            out.append(pad(ReportText.grouped(rate), 12) + pad(String(format: "%.0f%%", 100 * rate / Swift.max(1, closed.itemsPerSecond)), 10)
                       + k.map { pad($0, 8) }.joined() + "  " + c.map { pad($0, 8) }.joined() + pad(ratio, 11) + pad(String(r.lost), 8)
                       + pad(String(format: "%.1f", r.cpuMicrosPerItem), 10) + pad(r.openBaseline.map { String(format: "%.1f", $0.cpuMicrosPerMessage) } ?? "-", 11))
        }
        // The cost column shows whether CPU follows items or turns: per item it falls as the rate
        // rises when every turn costs about the same.
        out.append("(CPU per item: bench + broker + workers, from the start of each step's load; the C queue's per message at the same rate)")
        return out.joined(separator: "\n") + "\n"
    }

    public var json: JSONValue {
        .object(JSONObject([
            ("sweep", .object(JSONObject([
                ("closed_loop", closed.json),
                ("steps", .array(steps.map(\.json))),
            ]))),
        ]))
    }

    /// Histograms for `--hdr-log`: each step's intended→done and the C queue's, tagged by rate.
    public func hdrEntries(start: Date) -> [HdrLog.Entry] {
        var t = 0.0
        return steps.flatMap { r -> [HdrLog.Entry] in
            let rate = Int(r.settings.rate ?? 0), length = r.settings.duration ?? 0
            defer { t += length }
            return [HdrLog.Entry(tag: "karez-done-\(rate)", start: t, length: length, histogram: r.result.doneLatency)]
                + (r.openBaseline.map { [HdrLog.Entry(tag: "c-durable-\(rate)", start: t, length: length, histogram: $0.latency)] } ?? [])
        }
    }

    func ms(_ h: Histogram<UInt64>, _ p: Double) -> String { LoadReport.ms(Double(h.valueAtPercentile(p)) / 1e6) }
    func pad(_ s: String, _ w: Int) -> String { LoadReport.pad(s, w) }
}
