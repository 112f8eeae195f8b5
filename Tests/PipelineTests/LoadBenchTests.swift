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
        print("bench faults: \(Int(r["worker_kills"]?.numberValue ?? 0)) worker kills, 1 broker kill, \(Int(r["resent"]?.numberValue ?? 0)) resent, "
              + "\(Int(r["redelivered"]?.numberValue ?? -1)) redelivered, \(Int(r["dead_lettered"]?.numberValue ?? -1)) dead-lettered, lost \(Int(r["lost"]?.numberValue ?? -1))")
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
        let plot = ScratchFolder.make("bench-plot").appendingPathComponent("bench.svg")
        let r = try await bench(["--kind", "noop", "--rate", "2000", "--duration", "3", "--plot", plot.path, "--baseline"])
        #expect(r["settings"]?["mode"]?.stringValue == "open")
        #expect(r["published"]?.numberValue == 6000, "every item scheduled in 3 s at 2000/s is sent")
        let size = r["settings"]?["item_bytes"]?.numberValue ?? 0
        #expect(size >= 580 && size <= 620, "noop items default to 600 bytes, got \(size)")
        #expect(r["lost"]?.numberValue == 0)
        #expect((r["latency_ms"]?["done"]?["p99"]?.numberValue ?? 0) > 0)
        #expect((r["baseline"]?["push_pull_per_s"]?.numberValue ?? 0) > 0)
        #expect((r["baseline"]?["durable_per_s"]?.numberValue ?? 0) > 0)
        #expect((r["processes"]?["broker"]?["cpu_s"]?.numberValue ?? 0) > 0)
        let svg = try String(contentsOf: plot, encoding: .utf8)
        #expect(svg.hasPrefix("<svg") && svg.contains("polyline") && svg.contains("items per second"))
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
}
