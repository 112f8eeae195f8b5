import Foundation
import Histogram

/// `--plot FILE.svg`: the latency percentile distribution (HdrHistogram style: the x axis
/// stretches the tail, 50% … 99.999%) and the throughput over time, as one self-contained SVG.
public enum LatencyPlot {
    static let marks: [Double] = [0, 50, 90, 99, 99.9, 99.99, 99.999]

    public static func svg(_ report: LoadReport) -> String {
        let w = 1100.0, h = 420.0, pw = 480.0, ph = 300.0
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(w))" height="\##(Int(h))" font-family="sans-serif" font-size="12">"##
        out += ##"<rect width="100%" height="100%" fill="white"/>"##
        out += ##"<text x="20" y="24" font-size="15">karez bench — \##(escape(report.settings.kind)), \##(report.settings.openLoop ? "open loop" : "closed loop"), fsync \##(report.settings.fsync): \##(Int(report.itemsPerSecond)) items/s, lost \##(report.lost)</text>"##
        // Left: latency by percentile; x = log10(1 / (1 - p)).
        let series: [(String, Histogram<UInt64>, String)] = [("ack", report.result.ackLatency, "#2563eb"), ("done", report.result.doneLatency, "#dc2626")]
            .filter { $0.1.totalCount > 0 }
        let xMax = 5.0
        let yMax = max(0.001, series.map { Double($0.1.max) / 1000 }.max() ?? 1)
        func px(_ p: Double) -> Double { 60 + pw * min(xMax, log10(1 / max(1e-9, 1 - p / 100))) / xMax }
        func py(_ v: Double, _ top: Double) -> Double { 50 + ph - ph * v / top }
        out += axes(x: 60, y: 50, w: pw, h: ph, title: "latency (ms) by percentile", yMax: yMax)
        for p in marks.dropFirst() {
            out += ##"<text x="\##(px(p))" y="\##(50 + ph + 16)" text-anchor="middle">\##(p == p.rounded() ? String(Int(p)) : String(p))%</text>"##
        }
        for (i, (name, hist, color)) in series.enumerated() {
            let points = percentilePoints().map { p in
                "\(px(p)),\(py(Double(hist.valueAtPercentile(p)) / 1000, yMax))"
            }
            out += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" points="\##(points.joined(separator: " "))"/>"##
            out += ##"<text x="\##(70 + Double(i) * 120)" y="\##(50 + ph + 36)" fill="\##(color)">■ \##(report.settings.openLoop ? "intended" : "publish")→\##(name)</text>"##
        }
        // Right: items per second over time.
        let n = max(2, max(report.result.acksPerSecond.count, report.result.donePerSecond.count))
        func padded(_ a: [Int]) -> [Double] { (a + Array(repeating: 0, count: max(0, n - a.count))).map(Double.init) }
        let acks = padded(report.result.acksPerSecond), done = padded(report.result.donePerSecond)
        let top = max(1, (acks + done).max() ?? 1)
        let x0 = 600.0
        out += axes(x: x0, y: 50, w: pw, h: ph, title: "items per second over time", yMax: top)
        for (values, color, label, i) in [(acks, "#2563eb", "acknowledged", 0), (done, "#dc2626", "done", 1)] where !values.isEmpty {
            let pts = values.enumerated().map { "\(x0 + pw * Double($0.offset) / Double(n - 1)),\(py($0.element, top))" }
            out += ##"<polyline fill="none" stroke="\##(color)" stroke-width="2" points="\##(pts.joined(separator: " "))"/>"##
            out += ##"<text x="\##(x0 + 10 + Double(i) * 120)" y="\##(50 + ph + 36)" fill="\##(color)">■ \##(label)</text>"##
        }
        out += ##"<text x="\##(x0 + pw)" y="\##(50 + ph + 16)" text-anchor="end">\##(n - 1) s</text>"##
        return out + "</svg>\n"
    }

    /// `karez bench --sweep --plot FILE.svg`: latency percentiles against the offered rate, Karez's
    /// intended→done (solid) beside the C durable queue's at the same rates (dashed), on a log scale.
    public static func sweepSVG(_ sweep: SweepReport) -> String {
        let w = 900.0, h = 520.0, x0 = 80.0, y0 = 50.0, pw = 620.0, ph = 400.0
        let s = sweep.closed.settings
        var out = ##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(w))" height="\##(Int(h))" font-family="sans-serif" font-size="12">"##
        out += ##"<rect width="100%" height="100%" fill="white"/>"##
        out += ##"<text x="20" y="24" font-size="15">karez bench --sweep — \##(escape(s.kind)), fsync \##(s.fsync): latency against rate (closed-loop maximum \##(Int(sweep.closed.itemsPerSecond)) items/s)</text>"##
        let points = sweep.steps.map { r in (rate: r.settings.rate ?? 0, karez: r.result.doneLatency, c: r.openBaseline?.latency) }
        let values = points.flatMap { p in SweepReport.columns.flatMap { [Double(p.karez.valueAtPercentile($0.1)), Double(p.c?.valueAtPercentile($0.1) ?? 0)] } }.filter { $0 > 0 }
        let lo = log10(max(0.01, (values.min() ?? 100) / 1000 / 1.5)), hi = log10(max(0.1, (values.max() ?? 1000) / 1000 * 1.5))
        let xMax = max(1, sweep.closed.itemsPerSecond)
        func px(_ rate: Double) -> Double { x0 + pw * rate / xMax }
        func py(_ micros: Double) -> Double { y0 + ph - ph * (log10(max(1e-3, micros / 1000)) - lo) / max(1e-9, hi - lo) }
        out += ##"<rect x="\##(x0)" y="\##(y0)" width="\##(pw)" height="\##(ph)" fill="none" stroke="#999"/>"##
        var decade = floor(lo)
        while decade <= ceil(hi) {
            for m in [1.0, 2, 5] {
                let v = pow(10, decade) * m
                guard log10(v) >= lo, log10(v) <= hi else { continue }
                let yy = py(v * 1000)
                out += ##"<line x1="\##(x0)" x2="\##(x0 + pw)" y1="\##(yy)" y2="\##(yy)" stroke="#eee"/>"##
                out += ##"<text x="\##(x0 - 6)" y="\##(yy + 4)" text-anchor="end">\##(v >= 1 ? String(Int(v)) : String(v))</text>"##
            }
            decade += 1
        }
        for i in 0...5 {
            let rate = xMax * Double(i) / 5
            out += ##"<text x="\##(px(rate))" y="\##(y0 + ph + 16)" text-anchor="middle">\##(Int(rate))</text>"##
        }
        out += ##"<text x="\##(x0 + pw / 2)" y="\##(y0 + ph + 36)" text-anchor="middle">offered rate, items/s</text>"##
        out += ##"<text x="20" y="\##(y0 + ph / 2)" transform="rotate(-90 20 \##(y0 + ph / 2))" text-anchor="middle">latency, ms (log)</text>"##
        let colors = ["#16a34a", "#2563eb", "#dc2626"]
        for (i, (name, p)) in SweepReport.columns.enumerated() {
            let karez = points.map { "\(px($0.rate)),\(py(Double($0.karez.valueAtPercentile(p))))" }
            out += ##"<polyline fill="none" stroke="\##(colors[i])" stroke-width="2" points="\##(karez.joined(separator: " "))"/>"##
            let c = points.compactMap { pt in pt.c.map { "\(px(pt.rate)),\(py(Double($0.valueAtPercentile(p))))" } }
            if !c.isEmpty {
                out += ##"<polyline fill="none" stroke="\##(colors[i])" stroke-width="1.5" stroke-dasharray="5,4" points="\##(c.joined(separator: " "))"/>"##
            }
            let ly = y0 + 20 + Double(i) * 40
            out += ##"<line x1="\##(x0 + pw + 20)" x2="\##(x0 + pw + 50)" y1="\##(ly)" y2="\##(ly)" stroke="\##(colors[i])" stroke-width="2"/>"##
            out += ##"<text x="\##(x0 + pw + 56)" y="\##(ly + 4)">Karez \##(name)</text>"##
            out += ##"<line x1="\##(x0 + pw + 20)" x2="\##(x0 + pw + 50)" y1="\##(ly + 18)" y2="\##(ly + 18)" stroke="\##(colors[i])" stroke-dasharray="5,4"/>"##
            out += ##"<text x="\##(x0 + pw + 56)" y="\##(ly + 22)">C durable \##(name)</text>"##
        }
        return out + "</svg>\n"
    }

    /// Percentiles from 0 to 99.999, dense in the tail.
    static func percentilePoints() -> [Double] {
        var ps: [Double] = []
        var p = 0.0
        while p < 99.999 {
            ps.append(p)
            p += max(0.0005, (100 - p) / 20)
        }
        return ps + [99.999]
    }

    static func axes(x: Double, y: Double, w: Double, h: Double, title: String, yMax: Double) -> String {
        var s = ##"<text x="\##(x)" y="\##(y - 10)" font-size="13">\##(title)</text>"##
        s += ##"<rect x="\##(x)" y="\##(y)" width="\##(w)" height="\##(h)" fill="none" stroke="#999"/>"##
        for i in 0...4 {
            let v = yMax * Double(4 - i) / 4, yy = y + h * Double(i) / 4
            s += ##"<line x1="\##(x)" x2="\##(x + w)" y1="\##(yy)" y2="\##(yy)" stroke="#eee"/>"##
            s += ##"<text x="\##(x - 6)" y="\##(yy + 4)" text-anchor="end">\##(v >= 100 ? String(Int(v)) : String(format: "%.2f", v))</text>"##
        }
        return s
    }

    static func escape(_ s: String) -> String { s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;") }
}
