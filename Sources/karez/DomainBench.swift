import ArgumentParser
import KarezBench

/// `karez bench domain`: validate + enrich throughput per kind on one core.
struct DomainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Validate + enrich per kind on one core (parse, process, serialise), items/s.",
        discussion: "Prints one line per case with the median of --repeats runs. Use a release build.")

    @Option(help: "Seconds per run.")
    var seconds = 1.0

    @Option(help: "Runs per case; the median is printed.")
    var repeats = 5

    @Option(name: .customLong("case"), help: "Only this case: news-reference-story, patient or lead (for profiling).")
    var only: DomainBenchmark.Case?

    func run() throws {
        let bench = DomainBenchmark()
        for c in DomainBenchmark.Case.allCases where only == nil || only == c {
            let rates = (0..<max(1, repeats)).map { _ in bench.run(c, seconds: seconds) }
            print("\(c.rawValue) \(Int(median(rates))) items/s (runs: \(rates.map { String(Int($0)) }.joined(separator: " ")))")
        }
    }
}

extension DomainBenchmark.Case: ExpressibleByArgument {}
