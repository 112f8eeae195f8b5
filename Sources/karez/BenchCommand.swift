import ArgumentParser
import Foundation
import CZMQBaseline
import KarezBench

/// `karez bench`: benchmarks that anyone can run and compare.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure Karez's throughput against a baseline measured in the same run.",
        discussion: "Without a subcommand: the load tester (karez bench load; see karez bench load --help).",
        subcommands: [LoadBench.self, MergeBench.self, CompareBench.self, TransportBench.self, StoreBench.self, DomainBench.self, PipelineBench.self, DrainBench.self],
        defaultSubcommand: LoadBench.self
    )
}

/// `karez bench transport`: the Swift ZeroMQ layer against raw libzmq in C.
struct TransportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transport",
        abstract: "PUSH/PULL and DEALER/ROUTER over loopback TCP: Swift layer vs. C, msgs/s and ratio.",
        discussion: """
            Each case runs C and Swift alternately --repeats times and prints the medians, one line \
            per case ending in ratio=SWIFT/C. Use a release build (swift build -c release) for \
            meaningful figures.
            """
    )

    @Option(name: .long, help: "Messages per run.")
    var count = 200_000

    @Option(name: .long, help: "Runs of each side per case; medians are reported.")
    var repeats = 5

    @Option(name: .long, parsing: .upToNextOption, help: "Message sizes in bytes.")
    var sizes: [Int] = [600, 10_240]

    @Option(name: .long, parsing: .upToNextOption, help: "Patterns: push-pull, dealer-router.")
    var patterns: [String] = TransportPattern.allCases.map(\.rawValue)

    @Flag(name: .long, help: "Print one JSON document instead of lines.")
    var json = false

    func validate() throws {
        guard count >= 2 else { throw ValidationError("--count must be at least 2, got \(count)") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1, got \(repeats)") }
        for size in sizes where size < 0 || size > 16 << 20 {
            throw ValidationError("--sizes: \(size) is outside 0...16 MiB")
        }
        for p in patterns where TransportPattern(rawValue: p) == nil {
            throw ValidationError("--patterns: unknown pattern '\(p)' (use push-pull or dealer-router)")
        }
    }

    func run() throws {
        var results: [TransportComparison] = []
        for p in patterns.compactMap(TransportPattern.init(rawValue:)) {
            for size in sizes {
                // Large messages: fewer of them, so every case takes similar time.
                let n = size > 4096 ? max(2, count / 10) : count
                let result = try TransportBenchmark(pattern: p, size: size, count: n).compare(repeats: repeats)
                if !json { print(result.line) }
                results.append(result)
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(["transport": results]), as: UTF8.self))
        }
    }
}

/// `karez bench drain`: the yardstick of hostile messages (a million frames, huge frames):
/// what raw libzmq in C spends receiving one message, to set against what a Karez process spends.
struct DrainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drain",
        abstract: "Raw libzmq (C) receives messages on a ROUTER and prints the CPU each cost: the baseline for hostile input.")

    @Option(help: "Endpoint to bind (a wildcard port is resolved and printed).")
    var endpoint = "tcp://127.0.0.1:*"

    @Option(help: "Messages to receive before exiting.")
    var messages = 1

    func run() throws {
        var result = kz_drain_result()
        guard kz_drain_one(endpoint, Int32(messages), &result) == 0 else { throw failure("karez bench drain", "cannot bind \(endpoint)") }
    }
}
