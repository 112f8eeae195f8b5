import ArgumentParser
import KarezBench

/// `karez bench domain`: validate + enrich throughput per kind on one core.
struct DomainBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Validate + enrich per kind on one core (parse, process, serialise), items/s.",
        discussion: """
            Prints the machine yardstick (a fixed C text workload on the same core, run before the \
            cases in every round), then one line per case: the median of --repeats runs in items/s, \
            and its ratio to the yardstick, which is the figure to compare between machines, with the \
            single-core goal as such a ratio. Use a release build.
            """)

    @Option(help: "Seconds per run.")
    var seconds = 1.0

    @Option(help: "Runs per case; the median is printed.")
    var repeats = 5

    @Option(name: .customLong("case"), help: "Only this case: news-reference-story, patient or lead (for profiling).")
    var only: DomainBenchmark.Case?

    @Flag(help: "Instead: the pseudonymiser's precomputed HMAC-SHA-256 key state against swift-crypto's HMAC<SHA256>, in the same run.")
    var hmac = false

    @Flag(help: "Instead of validate + enrich: the broker's frame-level check of each published item (id, kind, size, UTF-8, a JSON object), items/s.")
    var frameCheck = false

    func validate() throws {
        if hmac && frameCheck { throw ValidationError("--hmac and --frame-check are two different measures; give one of them") }
        if hmac && only != nil { throw ValidationError("--case picks a validate + enrich case; --hmac measures the pseudonymiser alone, so leave --case out") }
    }

    /// Each round runs the yardstick, then every case: a case's ratio is taken to the yardstick of
    /// its own round, so a machine that slows down mid-run slows both.
    func run() throws {
        if hmac { return try runHMAC() }
        let bench = DomainBenchmark()
        let cases = DomainBenchmark.Case.allCases.filter { only == nil || only == $0 }
        var yardsticks: [Double] = []
        var rates: [DomainBenchmark.Case: [Double]] = [:]
        for _ in 0..<max(1, repeats) {
            let y = bench.yardstick(seconds: seconds)
            yardsticks.append(y)
            for c in cases { rates[c, default: []].append(frameCheck ? bench.frameCheck(c, seconds: seconds) : bench.run(c, seconds: seconds)) }
        }
        let runs = { (r: [Double], f: String) in r.map { String(format: f, $0) }.joined(separator: " ") }
        print("yardstick (C: UTF-8 decode and 2-gram count of the reference story, same core) \(Int(median(yardsticks))) rounds/s (runs: \(runs(yardsticks, "%.0f")))")
        for c in cases {
            let r = rates[c] ?? []
            let ratios = zip(r, yardsticks).map { $0 / $1 }
            let goal = frameCheck ? "" : DomainGoal.ratio[c].map { g in ", goal ≥ \(String(format: "%.2f", g)) (\(median(ratios) >= g ? "met" : "NOT met"))" } ?? ""
            print("\(c.rawValue)\(frameCheck ? " frame check" : "") \(Int(median(r))) items/s (runs: \(runs(r, "%.0f"))); ÷ yardstick \(String(format: "%.3f", median(ratios))) (runs: \(runs(ratios, "%.3f")))\(goal)")
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

/// The single-core goals as ratios to the yardstick: 20,000 reference stories/s and 200,000
/// patients/s, divided by the yardstick's 110,168 rounds/s (median of 5) on a machine where the
/// code met them (20.7k stories/s and 246k patients/s in the same runs; README, "Benchmarks").
enum DomainGoal {
    static let ratio: [DomainBenchmark.Case: Double] = [.referenceStory: 20_000 / 110_168, .patient: 200_000 / 110_168]
}
