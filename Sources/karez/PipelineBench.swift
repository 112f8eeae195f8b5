import ArgumentParser
import KarezBench
import KarezDomain
import KarezBroker

/// `karez bench pipeline`: publish → journal → worker → done, with the raw libzmq figure beside it.
struct PipelineBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pipeline",
        abstract: "Publish → journal → worker → (store →) done in one process, items/s, with raw libzmq beside it.",
        discussion: """
            --noop measures the transport alone (workers acknowledge without validating or storing); \
            otherwise workers validate, enrich and store to a temporary SQLite file. Prints the median \
            of --repeats runs and, from the same run, raw libzmq PUSH/PULL in C on 600-byte messages, \
            and the median CPU time per item of the whole process (all threads), which varies less \
            than the rate on a shared machine.
            """)

    @Option(help: "Kind of items: patient, lead or news (the reference story).")
    var kind = "patient"

    @Flag(help: "Workers acknowledge without validating or storing.")
    var noop = false

    @Option(help: "Items per run.")
    var count = 200_000

    @Option(help: "Workers in the process.")
    var workers = 2

    @Option(help: "always, batch or never.")
    var fsync = "batch"

    @Option(help: "Runs; the median is printed.")
    var repeats = 3

    @Option(help: "Pad items to about this many bytes (a `notes` field). Default: 600 with --noop, else the kind's natural size.")
    var itemBytes: Int?

    @Flag(help: "Also run each repeat with an in-process collector receiving metrics, and print the overhead.")
    var collector = false

    @Flag(help: "Also run each repeat with SQLite at synchronous=NORMAL, and print what durable commits (FULL, the default) cost.")
    var compareStoreSync = false

    func validate() throws {
        guard FsyncPolicy(rawValue: fsync) != nil else { throw ValidationError("--fsync must be always, batch or never") }
        let kinds = KindRegistry.generatedKindNames
        guard kinds.contains(kind) else { throw ValidationError("--kind must be \(kinds.joined(separator: ", ")), got \(kind)") }
        guard count > 0, workers > 0, repeats > 0 else { throw ValidationError("--count, --workers and --repeats must be positive") }
    }

    func run() async throws {
        var bench = PipelineBenchmark(kind: kind, noop: noop, count: count, workers: workers, fsync: FsyncPolicy(rawValue: fsync)!)
        bench.itemBytes = itemBytes ?? (noop ? 600 : nil)
        var rates: [Double] = [], withCollector: [Double] = [], normalSync: [Double] = [], cpu: [Double] = []
        var size = 0
        for _ in 0..<repeats {
            bench.collector = false
            let (rate, bytes, micros) = try await bench.run()
            rates.append(rate)
            cpu.append(micros)
            size = bytes
            if collector {
                bench.collector = true
                withCollector.append(try await bench.run().rate)
                bench.collector = false
            }
            if compareStoreSync && !noop {
                bench.fullSync = false
                normalSync.append(try await bench.run().rate)
                bench.fullSync = true
            }
        }
        if !normalSync.isEmpty {
            let (full, normal) = (median(rates), median(normalSync))
            print("pipeline \(kind) SQLite synchronous=FULL \(Int(full)) items/s (runs: \(rates.map { String(Int($0)) }.joined(separator: " "))) "
                  + "NORMAL \(Int(normal)) items/s (runs: \(normalSync.map { String(Int($0)) }.joined(separator: " "))); FULL/NORMAL ratio \(String(format: "%.3f", full / normal))")
        }
        if collector {
            let (a, b) = (median(rates), median(withCollector))
            print("pipeline \(noop ? "noop" : kind) with collector: \(Int(b)) items/s (runs: \(withCollector.map { String(Int($0)) }.joined(separator: " "))) "
                  + "without: \(Int(a)) items/s; metrics overhead \(String(format: "%.1f", (1 - b / a) * 100))%")
        }
        let c = try TransportBenchmark(pattern: .pushPull, size: 600, count: 200_000).runC().rate
        let p = median(rates)
        print("pipeline \(noop ? "noop" : kind) fsync=\(fsync) \(size)B \(Int(p)) items/s (runs: \(rates.map { String(Int($0)) }.joined(separator: " "))) "
              + "raw-libzmq-push-pull-600B=\(Int(c)) msgs/s ratio=\(String(format: "%.3f", p / c)) "
              + "cpu=\(String(format: "%.2f", median(cpu))) µs/item (all threads)")
    }
}
