import ArgumentParser
import Foundation
import KarezBench

/// `karez bench store`: batched writes against one-row transactions, per backend.
struct StoreBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Batched store writes of 600-byte patient items vs. one row per transaction, rows/s.",
        discussion: """
            Prints one line per backend and mode, such as `sqlite batched 123456 rows/s`, each the median \
            of --repeats runs. It measures the stores named by --sqlite and --postgres (use scratch \
            databases: rows of kind patient with ids PREFIX-… are left there); with neither, two fresh \
            temporary SQLite files: one with durable commits (synchronous = FULL, what workers use) \
            and one with synchronous = NORMAL, so the cost of durability is a ratio from one run.
            """
    )

    @Option(help: "SQLite store to measure, e.g. sqlite:/tmp/scratch.sqlite.")
    var sqlite: String?

    @Option(help: "PostgreSQL store to measure too, e.g. postgres://karez@127.0.0.1:5432/scratch.")
    var postgres: String?

    @Option(help: "Rows per batched run.")
    var count = 100_000

    @Option(help: "Rows per one-row-per-transaction run.")
    var singleCount = 2_000

    @Option(help: "Rows per transaction in batched mode.")
    var batchSize = 1000

    @Option(help: "Runs per backend and mode; medians are printed.")
    var repeats = 3

    @Option(help: "Only these modes (batched, single).")
    var modes: [String] = StoreBenchmark.Mode.allCases.map(\.rawValue)

    @Option(help: "Prefix of the ids written (ids are PREFIX-MODE-BATCH-ROW).")
    var idPrefix = "bench-\(UInt32.random(in: 0...UInt32.max))"

    func validate() throws {
        guard count > 0, singleCount > 0, batchSize > 0, repeats > 0 else {
            throw ValidationError("--count, --single-count, --batch-size and --repeats must be positive")
        }
        for m in modes where StoreBenchmark.Mode(rawValue: m) == nil {
            throw ValidationError("--modes: unknown mode '\(m)' (use batched or single)")
        }
    }

    func run() async throws {
        var targets: [(String, String)] = []
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("karez-bench-\(UUID().uuidString)")
        if let sqlite { targets.append(("sqlite", sqlite)) }
        if let postgres { targets.append(("postgres", postgres)) }
        if targets.isEmpty {
            // Durable commits (synchronous = FULL, the default) against NORMAL in the same run.
            targets.append(("sqlite", "sqlite:\(temp.path)/bench.sqlite"))
            targets.append(("sqlite-normal", "sqlite:\(temp.path)/bench-normal.sqlite?synchronous=normal"))
        }
        defer { try? FileManager.default.removeItem(at: temp) }
        for (label, url) in targets {
            for mode in modes.compactMap(StoreBenchmark.Mode.init(rawValue:)) {
                var rates: [Double] = []
                for r in 0..<repeats {
                    let bench = StoreBenchmark(url: url, label: label, batchSize: batchSize, idPrefix: "\(idPrefix)-\(r)")
                    rates.append(try await bench.run(mode, count: mode == .batched ? count : singleCount))
                }
                print("\(label) \(mode.rawValue) \(Int(median(rates))) rows/s (runs: \(rates.map { String(Int($0)) }.joined(separator: " ")))")
            }
        }
    }
}
