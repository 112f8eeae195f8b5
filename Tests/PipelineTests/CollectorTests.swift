import Foundation
import KarezTestSupport
import KarezDomain
import KarezProtocol
import Testing

@Suite("Collector: metrics, Prometheus, dashboard and report over real processes", .serialized)
struct CollectorTests {
    /// `karez up` with its collector: the reference data set flows through, `/metrics` parses
    /// with prometheus_client and its counters match what was published, the report is exact,
    /// and headless Chromium shows the dashboard with live data.
    @Test(.enabled(if: chromiumBinary != nil || ProcessInfo.processInfo.environment["CI"] == "true",
                   "needs headless Chromium for the dashboard (make test installs Debian's chromium; with CI=true it is required)"))
    func referenceSetThroughUpIsCountedScrapedReportedAndShown() async throws {
        let dir = ScratchFolder.make("collector-up")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-host", "127.0.0.1", "--http-port", "0", "--worker-count", "2"])
        let banner = try await up.waitFor("Ctrl-C to stop")
        let front = try #require(endpoint(after: "publish to ", in: banner))
        let dashboard = try #require(endpoint(after: "dashboard ", in: try await up.waitFor("dashboard http")))
        let reference = dir.appendingPathComponent("reference.jsonl")
        #expect(try await karez(["gen", "--reference", "--output", reference.path]).0 == 0)
        // --wait: the broker tells the publisher (PUBW/FIN) when each item is finished; the 5 invalid
        // items end as dead letters, so the exit status is 1.
        let (status, out) = try await karez(["publish", "--wait", "--broker", front, reference.path])
        let total = ReferenceFigures.totalItems, invalid = ReferenceFigures.invalidItems
        #expect(status == 1, "\(out)")
        #expect(out.contains("acknowledged \(total),") && out.contains("done \(total - invalid), dead-lettered \(invalid), unfinished 0"), "\(out)")

        // Snapshots arrive once a second: wait until the broker's counters say everything is done.
        let s = try await waitSummary(dashboard) {
            $0["totals"]?["done"]?.numberValue == Double(total - invalid) && $0["totals"]?["dead_lettered"]?.numberValue == Double(invalid)
                && $0["totals"]?["stored"]?.numberValue == Double(total - invalid)
        }
        #expect(s["totals"]?["accepted"]?.numberValue == Double(total))
        #expect(s["processes"]?.arrayValue?.filter { $0["live"]?.boolValue == true }.count == 3)

        // The domain figures come from the store's totals, read after the counters that showed
        // everything stored: they are complete (ConsistentViewTests).
        let regiment = ["facility": ReferenceFigures.regimentHospital]
        func regimentVisits(_ samples: [ScrapedSample]) -> Double {
            ["outpatient", "inpatient", "consult"].reduce(0) {
                $0 + samples.sum("karez_domain_patient_visits_total", regiment.merging(["kind": $1]) { $1 })
            }
        }
        let samples = try await scrape(dashboard)
        #expect(samples.sum("karez_items_accepted_total") == Double(total))
        #expect(samples.sum("karez_items_accepted_total", ["kind": "patient"]) == 1470)
        #expect(samples.sum("karez_items_done_total") == Double(total - invalid))
        #expect(samples.sum("karez_items_dead_lettered_total") == Double(invalid))
        #expect(samples.sum("karez_jobs_stored_total") == Double(total - invalid))
        #expect(samples.sum("karez_jobs_rejected_total") == Double(invalid))
        #expect(samples.sum("karez_stage_seconds_count", ["stage": "end_to_end"]) == Double(total - invalid))
        #expect(samples.sum("karez_stage_seconds_bucket", ["stage": "store", "le": "+Inf"]) == Double(total))
        #expect(regimentVisits(samples) == 723, "karez up's warnings and errors: \(up.text.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" warning ") })")
        #expect(samples.sum("karez_domain_patient_visits_total", ["kind": "surgery"]) == 38)
        #expect(samples.sum("karez_domain_leads_reached_total", ["stage": "agreement_signed"]) == 4)
        #expect(samples.first { $0.name == "karez_process_up" }?.type == "gauge")
        #expect(samples.first { $0.name == "karez_stage_seconds_bucket" }?.type == "histogram")

        let (rs, reportJSON) = try await karez(["report", "--collector", dashboard, "--format", "json"])
        #expect(rs == 0, "\(reportJSON)")
        let report = try JSONParser.parse(Array(reportJSON.utf8))
        #expect(referenceReportProblems(report) == [])
        #expect((report["leads"]?["investment_signed_or_landed_cny"]?.numberValue ?? 0) > 0)
        #expect((report["news"]?["amount_cny"]?.numberValue ?? 0) > 0)
        let (_, text) = try await karez(["report", "--collector", dashboard])
        #expect(text.contains(ReferenceFigures.regimentHospital) && text.contains("projects landed 2"), "\(text)")
        let (_, markdown) = try await karez(["report", "--collector", dashboard, "--format", "markdown"])
        #expect(markdown.hasPrefix("# Karez domain report"))
        let (ts, top) = try await karez(["top", "--collector", dashboard, "--once"])
        #expect(ts == 0 && top.contains("end_to_end") && top.contains("up-worker-1"), "\(top)")

        // More items flow while a real browser watches the dashboard.
        let more = dir.appendingPathComponent("more.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "20000", "--seed", "7", "--output", more.path]).0 == 0)
        let publisher = try Child(["publish", "--broker", front, more.path])
        let dom = try await chromium(["--dump-dom", dashboard])
        let updates = Int(attribute("data-updates", in: dom) ?? "") ?? 0
        let points = Int(attribute("data-points", in: dom) ?? "") ?? 0
        let done = Int(attribute("data-done", in: dom) ?? "") ?? 0
        #expect(updates >= 3, "the page took \(updates) summaries")
        #expect(points >= 3, "the charts have \(points) points")
        #expect(done >= total - invalid, "the page shows \(done) items done")
        #expect(dom.contains(ReferenceFigures.regimentHospital), "the domain tables are filled")
        let shot = repoRoot.appendingPathComponent("karez-data/test-artifacts/dashboard.png")
        try? FileManager.default.createDirectory(at: shot.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? FileManager.default.removeItem(at: shot)
        _ = try await chromium(["--screenshot=\(shot.path)", "--window-size=1500,1100", dashboard])
        let png = try Data(contentsOf: shot)
        #expect(png.count > 20_000 && png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "screenshot of \(png.count) bytes")
        #expect(try await publisher.finish() == 0)
        #expect(try await up.terminate() == 0)
        print("collector: /metrics parsed by prometheus_client (\(samples.count) samples), report exact; dashboard: \(updates) live updates, \(points) chart points, \(done) done; screenshot \(shot.path)")
    }

    /// Separate broker, workers and collector processes; workers are killed -9 again and again
    /// while the reference set flows and the collector is restarted: the report stays exact and
    /// the collector's totals survive its restart.
    @Test func reportIsExactWhenWorkersAreKilledAndTotalsSurviveACollectorRestart() async throws {
        let dir = ScratchFolder.make("collector-faults")
        let (fport, bport, iport, hport) = (freePort(), freePort(), freePort(), freePort())
        let front = "tcp://127.0.0.1:\(fport)", back = "tcp://127.0.0.1:\(bport)", intake = "tcp://127.0.0.1:\(iport)"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let base = "http://127.0.0.1:\(hport)/"
        func startCollector() async throws -> Child {
            let c = try Child(["collector", "--intake", intake, "--http-host", "127.0.0.1", "--http-port", String(hport),
                               "--data", dir.appendingPathComponent("collector").path, "--store", store])
            _ = try await c.waitFor("karez collector: intake")
            return c
        }
        var collector = try await startCollector()
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path,
                                "--lease-ms", "3000", "--collector", intake])
        _ = try await broker.waitFor("karez broker: front")
        func startWorker(_ i: Int) throws -> Child {
            try Child(["worker", "--broker", back, "--store", store, "--credit", "4", "--concurrency", "1",
                       "--collector", intake, "--name", "fault-worker-\(i)"])
        }
        var workers = [try startWorker(0), try startWorker(1)]
        let reference = dir.appendingPathComponent("reference.jsonl")
        #expect(try await karez(["gen", "--reference", "--output", reference.path]).0 == 0)
        // Publish in slices while killing a worker every 200 ms.
        let lines = try String(contentsOf: reference, encoding: .utf8).split(separator: "\n")
        var kills = 0
        for (n, slice) in stride(from: 0, to: lines.count, by: 100).map({ lines[$0..<min(lines.count, $0 + 100)] }).enumerated() {
            let file = dir.appendingPathComponent("slice-\(n).jsonl")
            try (slice.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            #expect(try await karez(["publish", "--broker", front, file.path]).0 == 0)
            try await Task.sleep(for: .milliseconds(200))
            let i = kills % 2
            workers[i].kill9()
            workers[i] = try startWorker(i)
            kills += 1
        }
        let valid = ReferenceFigures.totalItems - ReferenceFigures.invalidItems
        _ = try await waitSummary(base, timeout: .seconds(120)) { $0["totals"]?["done"]?.numberValue == Double(valid) }
        let (_, reportJSON) = try await karez(["report", "--collector", base, "--format", "json"])
        #expect(referenceReportProblems(try JSONParser.parse(Array(reportJSON.utf8))) == [], "\(reportJSON)")

        // The collector restarts: its totals come back from its data folder.
        let before = try await summary(base)
        #expect(try await collector.terminate() == 0)
        collector = try await startCollector()
        let after = try await waitSummary(base) { ($0["collector"]?["received"]?.numberValue ?? 0) > 0 }
        #expect(after["totals"]?["accepted"]?.numberValue == before["totals"]?["accepted"]?.numberValue)
        #expect(after["totals"]?["done"]?.numberValue == Double(valid))
        let redelivered = after["totals"]?["redelivered"]?.numberValue ?? 0
        let (_, again) = try await karez(["report", "--collector", base, "--format", "json"])
        #expect(referenceReportProblems(try JSONParser.parse(Array(again.utf8))) == [])
        for w in workers { w.kill9() }
        #expect(try await broker.terminate() == 0)
        #expect(try await collector.terminate() == 0)
        print("collector faults: \(kills) worker kills, \(Int(redelivered)) redeliveries; report exact before and after a collector restart")
    }
}

/// Runs headless Chromium on `arguments` (with a virtual-time budget so the page's timers and
/// fetches run) and returns what it printed.
/// The headless browser of the dashboard test, if installed.
let chromiumBinary = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

func chromium(_ arguments: [String]) async throws -> String {
    guard let binary = chromiumBinary else { throw PipelineTestError("no chromium: `make test` installs Debian's chromium package") }
    let profile = ScratchFolder.make("chromium-profile")
    let (status, out) = try await runToEnd(binary, ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                                    "--user-data-dir=\(profile.path)", "--virtual-time-budget=6000"] + arguments,
                                           timeout: .seconds(120))
    guard status == 0 else { throw PipelineTestError("chromium \(arguments) exited \(status): \(out)") }
    return out
}

/// The value of `name="…"` in an HTML text.
func attribute(_ name: String, in html: String) -> String? {
    guard let r = html.range(of: name + "=\"") else { return nil }
    return html[r.upperBound...].split(separator: "\"", maxSplits: 1).first.map(String.init)
}
