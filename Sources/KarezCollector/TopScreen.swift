import KarezProtocol

/// `karez top`: the collector's summary as one terminal screen.
public enum TopScreen {
    /// Renders an `/api/summary` body.
    public static func render(_ s: JSONValue, collector: String) -> String {
        func num(_ v: JSONValue?) -> Double { v?.numberValue.map { $0.isFinite ? min(max($0, -9e18), 9e18) : 0 } ?? 0 }
        func f(_ v: Double) -> String { v >= 1e6 ? String(format1(v / 1e6)) + "M" : v >= 1e4 ? format1(v / 1e3) + "k" : format1(v) }
        func ms(_ v: Double) -> String { format1(v * 1000) }
        var out: [String] = []
        let t = s["totals"], q = s["queue"], r = s["rates"]
        out.append("karez top — \(collector) — \(s["time"]?.stringValue ?? "")")
        out.append("")
        out.append("  done/s \(pad(f(num(r?["done_per_s"])), 9))   accepted/s \(pad(f(num(r?["accepted_per_s"])), 9))   queued \(pad(f(num(q?["items"])), 8))   in flight \(pad(f(num(q?["in_flight"])), 7))")
        out.append("  accepted \(pad(f(num(t?["accepted"])), 7))   done \(pad(f(num(t?["done"])), 7))   redelivered \(pad(f(num(t?["redelivered"])), 6))   dead letters \(pad(f(num(t?["dead_lettered"])), 5))   refused \(pad(f(num(t?["refused"])), 5))")
        out.append("")
        out.append("  stage              count      p50 ms    p90 ms    p99 ms  p99.9 ms")
        for (stage, v) in s["latency_seconds"]?.objectValue?.members ?? [] where num(v["count"]) > 0 {
            out.append("  \(stage.padding(16))\(pad(f(num(v["count"])), 8))\(pad(ms(num(v["p50"])), 10))\(pad(ms(num(v["p90"])), 10))\(pad(ms(num(v["p99"])), 10))\(pad(ms(num(v["p999"])), 10))")
        }
        out.append("")
        out.append("  kind        state    ready*  scheduled  in flight  oldest s  limits")
        for (kind, v) in s["kinds"]?.objectValue?.members ?? [] {
            let paused = v["paused"]?.boolValue == true
            let limits = [num(v["concurrency_limit"]) > 0 ? "≤\(f(num(v["concurrency_limit"]))) at once" : nil,
                          num(v["rate_limit"]) > 0 ? "\(f(num(v["rate_limit"])))/s" : nil].compactMap { $0 }
            let waiting = num(v["accepted"]) - num(v["done"]) - num(v["dead_lettered"]) - num(v["expired"]) - num(v["cancelled"]) - num(v["in_flight"]) - num(v["scheduled"])
            out.append("  \(kind.padding(12))\((paused ? "PAUSED" : "running").padding(8))\(pad(f(max(0, waiting)), 7))\(pad(f(num(v["scheduled"])), 11))\(pad(f(num(v["in_flight"])), 11))\(pad(format1(num(v["oldest_age_s"])), 10))  \(limits.isEmpty ? "none" : limits.joined(separator: ", "))")
        }
        out.append("  * accepted and not yet finished, scheduled or in flight")
        out.append("")
        out.append("  role    name                        host               state   done")
        for p in s["processes"]?.arrayValue ?? [] {
            let live = p["live"]?.boolValue == true
            out.append("  \((p["role"]?.stringValue ?? "").padding(8))\((p["name"]?.stringValue ?? "").padding(28))\((p["host"]?.stringValue ?? "").padding(19))\((live ? "live" : "gone").padding(6))\(pad(f(num(p["done"])), 7))")
        }
        if let report = s["report"] {
            out.append("")
            let reached = report["leads"]?["reached"]
            out.append("  patients: \(Int(num(report["patients"]?["visits_by_kind"]?["outpatient"]) + num(report["patients"]?["visits_by_kind"]?["inpatient"]) + num(report["patients"]?["visits_by_kind"]?["consult"]))) visits, \(Int(num(report["patients"]?["visits_by_kind"]?["checkup"]))) health checks, \(Int(num(report["patients"]?["surgeries"]))) surgeries")
            out.append("  leads: \(Int(num(reached?["contacted"]))) contacted, \(Int(num(reached?["agreement_signed"]))) signed, \(Int(num(reached?["landed"]))) landed   news: \(Int(num(report["news"]?["stories"]))) stories")
        }
        return out.joined(separator: "\n") + "\n"
    }

    static func format1(_ v: Double) -> String {
        let r = (v * 10).rounded() / 10
        return r == r.rounded() ? String(Int64(r)) : String(r)
    }

    static func pad(_ s: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
}

extension String {
    /// Left-aligned in `width` columns.
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(1, width - count)) }
}
