import ArgumentParser
import Foundation
import KarezBench
import KarezDomain
import KarezProtocol

/// `karez bench` (`karez bench load`): the load tester.
struct LoadBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load-test publish → journal → worker → stored → done (the default of karez bench).",
        discussion: """
            Without --broker it starts its own Karez as child processes (a broker, --workers workers, \
            SQLite in a temporary folder) and a collector in-process (its dashboard URL is printed), \
            so --kill-worker-every and --kill-broker-at are real kill -9s. Closed loop by default \
            (--window items unacknowledged); --rate runs open loop, latency measured from each \
            item's intended send time (coordinated omission corrected). Prints a table, or --json; \
            --plot draws latency percentiles and throughput over time as SVG. Every report carries its \
            yardstick, raw libzmq in C measured in the same run (--no-baseline skips it): PUSH/PULL and \
            a durable DEALER/ROUTER with the same fsync for throughput, and for an open-loop run the \
            durable queue at the same rate, whose latency percentiles Karez's are divided by; and what a \
            wake-up costs on this machine (two C threads), beside the context switches and CPU per item \
            of every process and the C queue's per message, and the disk's part: the broker's journal \
            syncs (journal fdatasync) beside the C queue's (C fdatasync). \
            Several hosts: run `karez bench --role producer --broker tcp://HOST:7700 --run-id R \
            --results FILE` on each, then `karez bench merge FILE… --store URL`.
            """)

    @Option(help: "noop (workers acknowledge without processing), or a kind with a generator (patient, lead, news).")
    var kind = "patient"

    @Option(help: "JSON-lines file of items to publish instead of generated ones (cycled, fresh ids).")
    var file: String?

    @Option(help: "Items to publish (default 100000 unless --duration).")
    var count: Int?

    @Option(help: "Seconds to publish for (instead of --count). With --rate every item due within them is sent, however late.")
    var duration: Double?

    @Option(help: "Open loop: items per second (all producers together), each sent at its intended time (above 4,000/s per producer, what falls due while its last PUBW is unanswered goes when the answer comes, or after 2 ms, in PUBWs of up to --batch items); latency counts from that time.")
    var rate: Double?

    @Option(help: "Open loop: ramp the rate linearly up (or down) to this by the end.")
    var rampTo: Double?

    @Option(help: "Producer threads (each its own socket).")
    var producers = 1

    @Option(help: "Pad generated items to about this many bytes (a `notes` field). Default: 600 for noop, else the kind's natural size.")
    var itemBytes: Int?

    @Option(help: "Most items unacknowledged per producer.")
    var window = 20_000

    @Option(help: "Workers of the bench's own Karez (each takes work from every broker).")
    var workers = 2

    @Option(help: "Brokers of the bench's own Karez: more than one is a partitioned set, each item going to the broker its kind and id hash to.")
    var brokers = 1

    @Option(help: "always, batch or never (the bench's own broker).")
    var fsync = "batch"

    @Flag(help: "Run the bench's own Karez with CURVE on front and back (keys made for the run): measures its cost.")
    var curve = false

    @OptionGroup(title: "Security (with --broker)")
    var security: ClientSecurityOptions

    @Option(help: "Drive a running broker (front endpoint), or a partitioned set (front endpoints, comma-separated, in order), instead of starting one.")
    var broker: String?

    @Option(help: "With --broker: the store its workers write to, to check that nothing acknowledged was lost.")
    var store: String?

    @Option(help: "Give up (exit 1) when a broker answers nothing, not even the PING sent every second, for this many seconds: one that is gone, or an endpoint or key that is wrong.")
    var silenceTimeout = 30.0

    @Option(help: "kill -9 a worker every SECONDS (and restart it).")
    var killWorkerEvery: Double?

    @Option(help: "kill -9 the broker (the first, with several) at SECONDS (and restart it).")
    var killBrokerAt: Double?

    @Flag(inversion: .prefixedNo, help: "Run the raw libzmq yardsticks in C after the run and print the ratios: closed loop, their throughput; open loop at a fixed rate, also the durable queue's latency at the same rate (as many messages, at most a minute).")
    var baseline = true

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Flag(inversion: .prefixedNo, help: "Publish packed (PACK PUBW: one frame per message, PROTOCOL.md 2.5) and have the bench's workers take packed jobs; --no-pack sends one frame per field, as PUB clients without packing do.")
    var pack = true

    @Option(help: "Write latency percentiles and throughput over time as an SVG file.")
    var plot: String?

    @Flag(help: "The latency-against-load curve: a closed-loop run finds the maximum, then --steps open-loop runs step the rate from 1/steps of it to all of it (--duration seconds each, default 10), each beside the C durable queue at the same rate. Prints p50/p99/p99.9 per rate; --plot draws them, --hdr-log logs every step's histograms.")
    var sweep = false

    @Option(help: "With --sweep: open-loop steps (10: 10%, 20%, … 100% of the closed-loop maximum).")
    var steps = 10

    @Option(help: "Write the latency histograms (intended→sent, →ack and →done, the C yardstick's; every step of a sweep) as an HdrHistogram interval log (version 1.3, tagged lines, microseconds), for HistogramLogProcessor, HdrHistogram_py and other standard tools.")
    var hdrLog: String?

    @Option(help: "run (default) or producer (publish only, into --broker; write --results for `karez bench merge`).")
    var role = "run"

    @Option(help: "Names this run's ids; give the same to every producer of a distributed run.")
    var runID: String?

    @Option(help: "With --role producer: where to write this producer's results (JSON).")
    var results: String?

    @Option(help: "Spread the items over this many priorities (0 to N-1, mixed item by item; PUBX): measures priority dispatch. 1: none.")
    var priorities = 1

    @Option(help: "Delay every item this many milliseconds (PUBX delay_ms): measures scheduling. Latency to done then includes the delay.")
    var delayMs = 0

    func validate() throws {
        let kinds = ["noop"] + KindRegistry.generatedKindNames
        guard kinds.contains(kind) else { throw ValidationError("--kind must be \(kinds.joined(separator: ", ")), got \(kind)") }
        guard ["always", "batch", "never"].contains(fsync) else { throw ValidationError("--fsync must be always, batch or never") }
        guard ["run", "producer"].contains(role) else { throw ValidationError("--role must be run or producer") }
        guard silenceTimeout > 0, silenceTimeout <= 1e9 else { throw ValidationError("--silence-timeout must be a number of seconds above 0 (30 by default)") }
        if role == "producer" && (broker == nil || results == nil) { throw ValidationError("--role producer needs --broker and --results") }
        if role == "producer" && (json || plot != nil || hdrLog != nil) {
            throw ValidationError("--role producer writes --results only: --json, --plot and --hdr-log belong to `karez bench merge` (--json, --plot)")
        }
        if count != nil && duration != nil { throw ValidationError("give --count or --duration, not both") }
        if rampTo != nil && rate == nil { throw ValidationError("--ramp-to needs --rate") }
        if sweep && (rate != nil || count != nil || role != "run" || killWorkerEvery != nil || killBrokerAt != nil) {
            throw ValidationError("--sweep chooses its own rates: give it no --rate, --count, --role, --kill-worker-every or --kill-broker-at")
        }
        if sweep && !baseline { throw ValidationError("--sweep measures the C yardstick at every rate; it cannot run with --no-baseline") }
        guard (1...100).contains(steps) else { throw ValidationError("--steps must be 1 to 100, got \(steps)") }
        if broker != nil && (killWorkerEvery != nil || killBrokerAt != nil) {
            throw ValidationError("--kill-worker-every and --kill-broker-at need the bench's own Karez (no --broker)")
        }
        if let broker { _ = try brokerList(broker) }
        guard (1...10).contains(priorities), delayMs >= 0 else { throw ValidationError("--priorities must be 1 to 10 and --delay-ms 0 or more") }
        guard producers > 0, window > 0, workers > 0, brokers > 0, (count ?? 1) > 0, (duration ?? 1) > 0, (rate ?? 1) > 0 else {
            throw ValidationError("--producers, --window, --workers, --brokers, --count, --duration and --rate must be positive")
        }
    }

    var settings: LoadSettings {
        var s = LoadSettings()
        s.kind = kind
        s.itemBytes = itemBytes ?? (kind == "noop" ? 600 : nil)
        s.file = file
        s.count = duration == nil ? (count ?? 100_000) : nil
        s.duration = duration
        s.rate = rate
        s.rampTo = rampTo
        s.producers = producers
        s.window = window
        s.pack = pack
        s.workers = workers
        s.brokers = brokers
        s.fsync = fsync
        s.broker = broker
        s.silenceSeconds = silenceTimeout
        s.store = store
        s.killWorkerEvery = killWorkerEvery
        s.killBrokerAt = killBrokerAt
        if let runID { s.runID = runID }
        s.curve = curve
        (s.priorities, s.delayMillis) = (priorities, UInt64(delayMs))
        (s.curveKey, s.serverKey) = (security.curveKey, security.serverKey)
        return s
    }

    func run() async throws {
        var load = LoadRun(settings: settings)
        load.baseline = baseline
        load.log = { line in say(line) }
        if role == "producer" {
            let result = try await load.runProducers()
            try JSONEncoder().encode(result).write(to: URL(fileURLWithPath: results!))
            say("karez bench: producer results in \(results!) (merge with karez bench merge)")
            return
        }
        let started = Date()
        if sweep { return try await runSweep(started) }
        let report: LoadReport
        do { report = try await load.run() } catch let e as LoadError { throw failure("karez bench", e.description) }
        if let hdrLog { try write(HdrLog.text(report.hdrEntries, startTime: started, comment: "karez bench \(report.settings.kind)"), to: hdrLog) }
        try output(report, json: json, plot: plot)
        if report.lost > 0 { throw ExitCode(1) }
    }

    private func runSweep(_ started: Date) async throws {
        var s = settings
        s.duration = nil
        var sweep = LoadSweep(settings: s)
        (sweep.steps, sweep.stepSeconds, sweep.log) = (steps, duration ?? 10, { line in say(line) })
        let report: SweepReport
        do { report = try await sweep.run() } catch let e as LoadError { throw failure("karez bench --sweep", e.description) }
        // Files first: their log lines go to stderr, which may share a pipe with the report.
        if let plot { try write(LatencyPlot.sweepSVG(report), to: plot) }
        if let hdrLog { try write(HdrLog.text(report.hdrEntries(start: started), startTime: started, comment: "karez bench --sweep \(s.kind)"), to: hdrLog) }
        print(json ? JSONWriter.string(report.json) : report.text, terminator: json ? "\n" : "")
        if report.lost > 0 { throw ExitCode(1) }
    }
}

/// Writes a file the bench was asked for and says where.
func write(_ text: String, to path: String) throws {
    do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw failure("karez bench", "cannot write \(path): \(error.localizedDescription)")
    }
    say("karez bench: wrote \(path)")
}

/// Prints a report and writes its plot.
func output(_ report: LoadReport, json: Bool, plot: String?) throws {
    // Files first: their log lines go to stderr, which may share a pipe with the report.
    if let plot { try write(LatencyPlot.svg(report), to: plot) }
    print(json ? JSONWriter.string(report.json) : report.text, terminator: json ? "\n" : "")
}

/// `karez bench merge`: one report from several producers' results.
struct MergeBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge",
        abstract: "Merge the results of `karez bench --role producer` runs (several hosts) into one report.")

    @Argument(help: "Results files written by --results.")
    var files: [String]

    @Option(help: "The store the workers wrote to, to check that nothing acknowledged was lost.")
    var store: String?

    @Flag(help: "Print the report as JSON.")
    var json = false

    @Option(help: "Write an SVG plot.")
    var plot: String?

    func run() async throws {
        let parts = try files.map { try ProducerRun.read(Data(contentsOf: URL(fileURLWithPath: $0))) }
        guard let first = parts.first else { throw ValidationError("no results files given") }
        let report = try await LoadRun.merge(parts, settings: first.settings, store: store)
        try output(report, json: json, plot: plot)
        if report.lost > 0 { throw ExitCode(1) }
    }
}

/// `karez bench compare`: two `--json` reports, with a pass/fail threshold (exit 1 on fail).
struct CompareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two karez bench --json reports (B against A); exit 1 when B is worse than --threshold on any figure.",
        discussion: """
            Compares throughput (closed loop), intended→done p50/p99/p99.9 and CPU per item (open \
            loop), and lost items. Where both reports carry their yardstick (the default), the ratios \
            to it are compared (CPU per item ÷ the C queue's CPU per message at the same rate), so runs \
            on different machines, or noisy runs on one, compare fairly; --raw compares raw figures. \
            A sweep is compared step by step. For CI: karez bench --json > new.json; karez bench \
            compare main.json new.json --threshold 5.
            """)

    @Argument(help: "The reference report (A).")
    var a: String

    @Argument(help: "The report compared with it (B).")
    var b: String

    @Option(help: "Percent by which B may be worse than A on any figure.")
    var threshold = 5.0

    @Flag(help: "Compare the raw figures even where both reports carry their yardstick.")
    var raw = false

    func run() throws {
        func read(_ path: String) throws -> JSONValue {
            guard let data = FileManager.default.contents(atPath: path) else { throw failure("karez bench compare", "cannot read \(path)") }
            do { return try JSONParser.parse(Array(data)) } catch {
                throw failure("karez bench compare", "\(path) is not JSON (\(error)); write reports with karez bench --json > FILE")
            }
        }
        let comparison: ReportComparison
        do { comparison = try ReportComparison(try read(a), try read(b), threshold: threshold, raw: raw) } catch let e as LoadError {
            throw failure("karez bench compare", e.description)
        }
        print(comparison.text, terminator: "")
        if !comparison.passes { throw ExitCode(1) }
    }
}
