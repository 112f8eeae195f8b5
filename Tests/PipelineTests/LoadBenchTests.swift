import Foundation
import KarezTestSupport
import KarezProtocol
import Testing

/// Runs `karez bench … --json` and returns the parsed report.
private func bench(_ arguments: [String]) async throws -> JSONValue {
    let (status, out) = try await karez(["bench"] + arguments + ["--json"], timeout: .seconds(600))
    guard status == 0 || status == 1, let line = out.split(separator: "\n").last(where: { $0.hasPrefix("{") }) else {
        throw PipelineTestError("karez bench \(arguments) exited \(status): \(out)")
    }
    return try JSONParser.parse(Array(line.utf8))
}

@Suite("karez bench: the load tester against real processes", .serialized)
struct LoadBenchTests {
    /// kill -9 a worker every second and the broker once while items flow: nothing acknowledged is
    /// lost. Open loop, so the run lasts 5 s and the kills happen however fast the pipeline is.
    @Test func aFaultRunLosesNothing() async throws {
        let r = try await bench(["--kind", "patient", "--rate", "6000", "--duration", "5", "--kill-worker-every", "1", "--kill-broker-at", "2"])
        #expect(r["lost"]?.numberValue == 0, "\(JSONWriter.string(r))")
        #expect(r["published"]?.numberValue == 30000)
        #expect(r["acknowledged"]?.numberValue == 30000)
        #expect(r["broker_kills"]?.numberValue == 1)
        #expect((r["worker_kills"]?.numberValue ?? 0) >= 1)
        #expect(r["duplicates"]?.numberValue == 0)
        #expect((r["latency_ms"]?["ack"]?["count"]?.numberValue ?? 0) > 0)
        // The restarted broker carries its histograms on, so the journal's syncs are reported.
        #expect((r["latency_ms"]?["journal_sync"]?["count"]?.numberValue ?? 0) > 0, "\(JSONWriter.string(r))")
        print("bench faults: \(Int(r["worker_kills"]?.numberValue ?? 0)) worker kills, 1 broker kill, \(Int(r["resent"]?.numberValue ?? 0)) resent, "
              + "\(Int(r["redelivered"]?.numberValue ?? -1)) redelivered, \(Int(r["dead_lettered"]?.numberValue ?? -1)) dead-lettered, lost \(Int(r["lost"]?.numberValue ?? -1))")
    }

    /// A closed-loop run for a duration publishes as fast as it can and stops when the time is up.
    @Test func aClosedLoopRunForADurationEnds() async throws {
        let r = try await bench(["--kind", "noop", "--duration", "2", "--no-baseline"])
        let published = r["published"]?.numberValue ?? 0
        #expect(published > 0, "\(JSONWriter.string(r))")
        #expect(r["acknowledged"]?.numberValue == published && r["done"]?.numberValue == published, "\(JSONWriter.string(r))")
        #expect(r["lost"]?.numberValue == 0)
    }

    /// Two brokers as a partitioned set, the first killed -9 mid-run: nothing lost, no duplicate.
    @Test func twoBrokersOneKilledLoseNothing() async throws {
        let r = try await bench(["--kind", "patient", "--brokers", "2", "--rate", "4000", "--duration", "5", "--kill-broker-at", "2"])
        #expect(r["settings"]?["brokers"]?.numberValue == 2)
        #expect(r["published"]?.numberValue == 20000)
        #expect(r["acknowledged"]?.numberValue == 20000)
        #expect(r["broker_kills"]?.numberValue == 1)
        #expect(r["lost"]?.numberValue == 0, "\(JSONWriter.string(r))")
        #expect(r["duplicates"]?.numberValue == 0)
    }

    /// Open loop at a fixed rate: every scheduled item is sent, latencies come from the intended
    /// times, the plot is written and the C baselines run in the same invocation.
    @Test func openLoopReportsLatencyPlotAndBaseline() async throws {
        let folder = ScratchFolder.make("bench-plot")
        let plot = folder.appendingPathComponent("bench.svg"), hdr = folder.appendingPathComponent("bench.hlog")
        let r = try await bench(["--kind", "noop", "--rate", "2000", "--duration", "3", "--plot", plot.path, "--baseline", "--hdr-log", hdr.path])
        #expect(r["settings"]?["mode"]?.stringValue == "open")
        #expect(r["published"]?.numberValue == 6000, "every item scheduled in 3 s at 2000/s is sent")
        let messages = r["publish_messages"]?.numberValue ?? 0, resent = r["resent"]?.numberValue ?? 0
        #expect(messages >= 1 && messages <= 6000 + resent, "\(messages) PUBW messages for 6000 items")
        let size = r["settings"]?["item_bytes"]?.numberValue ?? 0
        #expect(size >= 580 && size <= 620, "noop items default to 600 bytes, got \(size)")
        #expect(r["lost"]?.numberValue == 0)
        #expect((r["latency_ms"]?["done"]?["p99"]?.numberValue ?? 0) > 0)
        // When in the run the tail happened: each second's longest intended→done, which together
        // bound the run's maximum; and how late the generator itself sent (at 2000/s, on time).
        let seconds = r["throughput_per_second"]?.arrayValue ?? []
        let worst = seconds.compactMap { $0["done_max_ms"]?.numberValue }.max() ?? 0
        let max = r["latency_ms"]?["done"]?["max"]?.numberValue ?? 0
        #expect(worst > 0 && abs(worst - max) <= 0.01 * max + 0.01, "the seconds' maxima \(worst) ms against the run's \(max) ms")
        #expect(r["latency_ms"]?["sent"]?["count"]?.numberValue == 6000)
        let lag = try #require(r["latency_ms"]?["sent"]?["max"]?.numberValue)
        #expect(lag >= 0 && lag <= max, "sent at most \(lag) ms late, within the latency it is part of (\(max) ms)")
        #expect((r["baseline"]?["push_pull_per_s"]?.numberValue ?? 0) > 0)
        #expect((r["baseline"]?["durable_per_s"]?.numberValue ?? 0) > 0)
        #expect((r["processes"]?["broker"]?["cpu_s"]?.numberValue ?? 0) > 0)
        // The disk's part: every group commit's fdatasync, at most one per PUBW that was
        // acknowledged fsynced (and at least one).
        let syncs = r["latency_ms"]?["journal_sync"]?["count"]?.numberValue ?? 0
        #expect(syncs >= 1 && syncs <= messages, "\(syncs) journal syncs for \(messages) PUBW messages")
        #expect((r["latency_ms"]?["journal_sync"]?["p50"]?.numberValue ?? 0) > 0)
        // Where a turn's cost goes: every process waits for messages, so each counted switches
        // (at least one per ten items, whatever the batching); the per-item figures are the
        // processes' sums over the items published.
        var switches = 0.0, waits = 0.0, cpu = 0.0
        for role in ["bench", "broker", "worker"] {
            let s = r["processes"]?[role]?["context_switches"]?.numberValue ?? 0, v = r["processes"]?[role]?["voluntary_switches"]?.numberValue ?? -1
            #expect(s > 600 && v > 0 && v <= s, "\(role): \(s) switches, \(v) waits for 6000 items")
            (switches, waits, cpu) = (switches + s, waits + v, cpu + (r["processes"]?[role]?["cpu_s"]?.numberValue ?? 0))
        }
        let perItem = r["context_switches_per_item"]?.numberValue ?? 0, cpuPerItem = r["cpu_us_per_item"]?.numberValue ?? 0
        #expect(abs(perItem - switches / 6000) <= 0.01 * perItem + 0.001, "\(perItem) switches per item, \(switches) in all")
        #expect(abs((r["wakeups_per_item"]?.numberValue ?? 0) - waits / 6000) <= 0.01 * waits / 6000 + 0.001)
        #expect(abs(cpuPerItem - cpu * 1e6 / 6000) <= 0.01 * cpuPerItem + 0.01, "\(cpuPerItem) µs of CPU per item, \(cpu) s in all")
        #expect((r["baseline_open"]?["context_switches_per_message"]?.numberValue ?? 0) > 1)
        #expect((r["baseline_open"]?["cpu_us_per_message"]?.numberValue ?? 0) > 0)
        let wake = try #require(r["wakeup_yardstick"]?["cpu_us_per_wakeup"]?.numberValue)
        let trip = try #require(r["wakeup_yardstick"]?["round_trip_us"]?.numberValue)
        #expect(wake > 0 && trip > 0 && trip < 100_000, "a wake-up costs \(wake) µs of CPU, a round trip takes \(trip) µs")
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("items per second"))
        // The yardstick: the C durable queue at the same rate, as many messages, and the ratios.
        #expect(r["baseline_open"]?["rate"]?.numberValue == 2000)
        #expect(r["baseline_open"]?["latency_ms"]?["count"]?.numberValue == 6000)
        #expect((r["baseline_open"]?["latency_ms"]?["p99"]?.numberValue ?? 0) > 0)
        let cSyncs = r["baseline_open"]?["sync_ms"]?["count"]?.numberValue ?? 0
        #expect(cSyncs >= 1 && cSyncs <= 6000, "the C queue's fdatasyncs timed: \(cSyncs)")
        let ratio = r["baseline_open"]?["ratio_done"]?["p99"]?.numberValue ?? 0
        let p99 = r["latency_ms"]?["done"]?["p99"]?.numberValue ?? 0, cP99 = r["baseline_open"]?["latency_ms"]?["p99"]?.numberValue ?? 1
        #expect(abs(ratio - p99 / cP99) < 0.01 * ratio + 0.01, "ratio \(ratio) = \(p99) / \(cP99)")
        let log = try String(contentsOf: hdr, encoding: .utf8)
        #expect(log.contains("#[Histogram log format version 1.3]"))
        for tag in ["karez-intended-sent", "karez-intended-ack", "karez-intended-done", "c-durable-ack"] {
            #expect(log.contains("\nTag=\(tag),"), "\(tag) in the HdrHistogram log")
        }
    }

    /// The latency-against-load curve: a closed-loop maximum, then open-loop steps at 50% and
    /// 100% of it, each with the C durable queue at the same rate; plot and log written.
    @Test func aSweepStepsTheRateBesideTheCYardstick() async throws {
        let folder = ScratchFolder.make("bench-sweep")
        let plot = folder.appendingPathComponent("sweep.svg"), hdr = folder.appendingPathComponent("sweep.hlog")
        let (status, out) = try await karez(["bench", "--kind", "noop", "--sweep", "--steps", "2", "--duration", "2", "--plot", plot.path,
                                             "--hdr-log", hdr.path, "--json"], timeout: .seconds(600))
        let line = try #require(out.split(separator: "\n").last { $0.hasPrefix("{") }, "\(out)")
        #expect(status == 0, "\(out)")
        let r = try JSONParser.parse(Array(line.utf8))
        let max = try #require(r["sweep"]?["closed_loop"]?["items_per_s"]?.numberValue)
        #expect(r["sweep"]?["closed_loop"]?["baseline"]?["durable_per_s"] != nil)
        let steps = try #require(r["sweep"]?["steps"]?.arrayValue)
        #expect(steps.count == 2)
        for (i, step) in steps.enumerated() {
            let rate = step["settings"]?["rate"]?.numberValue ?? 0
            #expect(abs(rate - max * Double(i + 1) / 2) < 1, "step \(i + 1) at \(i + 1)/2 of the maximum")
            #expect(step["baseline_open"]?["rate"]?.numberValue == rate)
            #expect(step["lost"]?.numberValue == 0)
            // Above 4,000 items/s sends are batched: fewer PUBWs than items.
            let published = step["published"]?.numberValue ?? 0, messages = step["publish_messages"]?.numberValue ?? 0
            if rate > 4000 { #expect(messages >= 1 && messages < published, "step \(i + 1): \(published) items in \(messages) PUBW messages") }
            // The cost curve beside the latency curve: each step's CPU per item, and the C queue's per message.
            #expect((step["cpu_us_per_item"]?.numberValue ?? 0) > 0 && (step["baseline_open"]?["cpu_us_per_message"]?.numberValue ?? 0) > 0)
        }
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.contains("latency against rate") && svg.components(separatedBy: "<polyline").count - 1 == 6)
        let log = try String(contentsOf: hdr, encoding: .utf8)
        #expect(log.components(separatedBy: "\nTag=").count - 1 == 4, "Karez and C per step")
    }

    /// Two reports compared: the same one passes; one that lost an item fails with exit 1.
    @Test func compareExitsOneWhenBIsWorse() async throws {
        let folder = ScratchFolder.make("bench-compare")
        let (_, out) = try await karez(["bench", "--kind", "noop", "--count", "3000", "--json"], timeout: .seconds(300))
        let line = try #require(out.split(separator: "\n").last { $0.hasPrefix("{") }, "\(out)")
        let a = folder.appendingPathComponent("a.json"), b = folder.appendingPathComponent("b.json")
        try String(line).write(to: a, atomically: true, encoding: .utf8)
        try String(line).replacingOccurrences(of: "\"lost\":0", with: "\"lost\":1").write(to: b, atomically: true, encoding: .utf8)
        let (sameStatus, same) = try await karez(["bench", "compare", a.path, a.path])
        #expect(sameStatus == 0 && same.contains("ratios to the C yardstick") && same.contains("pass"), "\(same)")
        let (worseStatus, worse) = try await karez(["bench", "compare", a.path, b.path])
        #expect(worseStatus == 1 && worse.contains("FAIL"), "\(worse)")
        let (missingStatus, missing) = try await karez(["bench", "compare", a.path, folder.appendingPathComponent("none.json").path])
        #expect(missingStatus != 0 && missing.contains("cannot read"))
    }

    /// The machine yardstick runs in every round and each case prints its ratio to it and its goal.
    @Test func theDomainBenchPrintsRatiosToTheYardstick() async throws {
        let (status, out) = try await karez(["bench", "domain", "--seconds", "0.1", "--repeats", "2"])
        #expect(status == 0, "\(out)")
        #expect(out.contains("yardstick (C: UTF-8 decode and 2-gram count"))
        for c in ["news-reference-story", "patient", "lead"] { #expect(out.contains("\n\(c) ") && out.contains("÷ yardstick"), "\(c)") }
        #expect(out.split(separator: "\n").first { $0.hasPrefix("patient") }?.contains("goal ≥ 1.82") == true, "\(out)")

        // The broker's frame check of every case's items (a refused item would stop it).
        let (fs, frames) = try await karez(["bench", "domain", "--frame-check", "--seconds", "0.1", "--repeats", "1"])
        #expect(fs == 0, "\(frames)")
        for c in ["news-reference-story", "patient", "lead"] { #expect(frames.contains("\n\(c) frame check ") && !frames.contains("goal"), "\(c): \(frames)") }

        // Two measures at once are refused, not one of them silently dropped.
        let (both, refusal) = try await karez(["bench", "domain", "--hmac", "--frame-check"])
        #expect(both != 0 && refusal.contains("--hmac and --frame-check"), "\(refusal)")
        let (withCase, caseRefusal) = try await karez(["bench", "domain", "--hmac", "--case", "patient"])
        #expect(withCase != 0 && caseRefusal.contains("leave --case out"), "\(caseRefusal)")
    }

    /// A broker that answers nothing (here: none listening) ends the run with an error that
    /// names it, after --silence-timeout, instead of a bench that waits forever.
    @Test func aSilentBrokerEndsTheRunWithAnError() async throws {
        let port = freePort()
        let started = ContinuousClock.now
        let (status, out) = try await karez(["bench", "--broker", "tcp://127.0.0.1:\(port)", "--count", "10", "--silence-timeout", "2", "--no-baseline"],
                                            timeout: .seconds(60))
        #expect(status == 1, "\(out)")
        #expect(out.contains("the broker at tcp://127.0.0.1:\(port) has answered nothing, not even PING, for 2 s, with 10 items unacknowledged"), "\(out)")
        #expect(ContinuousClock.now - started < .seconds(30), "gave up after the silence, not at some later bound")
    }

    /// Patients padded to a chosen size (a notes field) stay valid: all stored, none rejected.
    @Test func paddedPatientsAreStoredLikeOthers() async throws {
        let r = try await bench(["--kind", "patient", "--count", "2000", "--item-bytes", "900"])
        let size = r["settings"]?["item_bytes"]?.numberValue ?? 0
        #expect(size >= 870 && size <= 930, "asked for 900-byte items, got \(size)")
        #expect(r["done"]?.numberValue == 2000)
        #expect(r["dead_lettered"]?.numberValue == 0)
        #expect(r["lost"]?.numberValue == 0)
    }

    /// Two producers (as on two hosts) publish into one broker; their results merge into one report.
    @Test func producersOnSeveralHostsMergeIntoOneReport() async throws {
        let dir = ScratchFolder.make("bench-distributed")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*", "--no-collector",
                            "--collector", "none", "--http-port", "0"])
        let front = try #require(endpoint(after: "publish to ", in: try await up.waitFor("Ctrl-C to stop")))
        let files = ["a", "b"].map { dir.appendingPathComponent("\($0).json").path }
        for f in files {
            let (s, out) = try await karez(["bench", "--role", "producer", "--broker", front, "--run-id", "dist1", "--count", "2000",
                                            "--kind", "lead", "--results", f])
            #expect(s == 0, "\(out)")
        }
        let (s, out) = try await karez(["bench", "merge", "--store", "sqlite:\(dir.path)/karez.sqlite", "--json"] + files)
        #expect(s == 0, "\(out)")
        let r = try JSONParser.parse(Array((out.split(separator: "\n").last { $0.hasPrefix("{") } ?? "").utf8))
        #expect(r["published"]?.numberValue == 4000)
        #expect(r["lost"]?.numberValue == 0)
        #expect(r["settings"]?["producers"]?.numberValue == 2)
        #expect(try await up.terminate() == 0)
    }

    /// Packed and unpacked peers share one broker (PROTOCOL.md 2.5): a producer and a worker of
    /// each kind, and every item of both producers stored once.
    @Test func packedAndUnpackedPeersShareOneBroker() async throws {
        let dir = ScratchFolder.make("bench-pack")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*", "--worker-count", "0",
                            "--no-collector", "--collector", "none", "--http-port", "0"])
        let banner = try await up.waitFor("Ctrl-C to stop")
        let front = try #require(endpoint(after: "publish to ", in: banner))
        let back = try #require(endpoint(after: "workers on ", in: banner))
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let workers = try [["--no-pack"], []].enumerated().map { i, flags in
            try Child(["worker", "--broker", back, "--store", store, "--name", "pack-\(i)", "--collector", "none", "--dev-key", "--credit", "50"] + flags)
        }
        for w in workers { _ = try await w.waitFor("welcomed by the broker") }
        let files = ["packed", "unpacked"].map { dir.appendingPathComponent("\($0).json").path }
        for (file, flags) in zip(files, [[], ["--no-pack"]]) {
            let (s, out) = try await karez(["bench", "--role", "producer", "--broker", front, "--run-id", "pack1", "--count", "3000",
                                            "--kind", "patient", "--results", file] + flags)
            #expect(s == 0, "\(out)")
        }
        let (s, out) = try await karez(["bench", "merge", "--store", store, "--json"] + files)
        #expect(s == 0, "\(out)")
        let r = try JSONParser.parse(Array((out.split(separator: "\n").last { $0.hasPrefix("{") } ?? "").utf8))
        #expect(r["published"]?.numberValue == 6000)
        #expect(r["lost"]?.numberValue == 0)
        #expect(r["duplicates"]?.numberValue == 0)
        var stored: [Int] = []
        for w in workers {
            #expect(try await w.terminate() == 0)
            let line = try #require(w.text.split(separator: "\n").last { $0.contains("stopped; stored") })
            stored.append(Int(line.split(separator: " ").drop { $0 != "stored" }.dropFirst().first?.dropLast() ?? "") ?? -1)
        }
        #expect(stored.reduce(0, +) == 6000 && stored.allSatisfy { $0 > 0 }, "stored per worker (unpacked, packed): \(stored)")
        #expect(try await up.terminate() == 0)
    }
}
