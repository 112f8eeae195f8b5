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

    @Flag(help: "Instead: the pseudonymiser's precomputed HMAC-SHA-256 key state against swift-crypto's HMAC<SHA256>, in the same run.")
    var hmac = false

    func run() throws {
        if hmac { return try runHMAC() }
        let bench = DomainBenchmark()
        for c in DomainBenchmark.Case.allCases where only == nil || only == c {
            let rates = (0..<max(1, repeats)).map { _ in bench.run(c, seconds: seconds) }
            print("\(c.rawValue) \(Int(median(rates))) items/s (runs: \(rates.map { String(Int($0)) }.joined(separator: " ")))")
        }
    }

    /// Alternating runs of both, so drift touches both alike; medians and their ratio.
    private func runHMAC() throws {
        let bench = PseudonymBenchmark()
        guard try bench.agree() else { throw failure("karez bench domain", "the precomputed HMAC and HMAC<SHA256> disagree") }
        var pre: [Double] = [], plain: [Double] = []
        for _ in 0..<max(1, repeats) {
            pre.append(try bench.precomputed(seconds: seconds))
            plain.append(bench.plainHMAC(seconds: seconds))
        }
        let runs = { (r: [Double]) in r.map { String(Int($0)) }.joined(separator: " ") }
        print("pseudonym, precomputed key state: \(Int(median(pre)))/s (runs: \(runs(pre)))")
        print("pseudonym, HMAC<SHA256> whole:    \(Int(median(plain)))/s (runs: \(runs(plain)))")
        print("ratio precomputed / HMAC<SHA256>: \(String(format: "%.2f", median(pre) / median(plain)))")
    }
}

extension DomainBenchmark.Case: ExpressibleByArgument {}
