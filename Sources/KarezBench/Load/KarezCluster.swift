import Foundation
import KarezBroker
import KarezWire

/// The bench's own Karez: brokers (one, or a partitioned set) and workers as child processes of
/// the `karez` executable (so faults are real kill -9s), on free loopback ports, with a temporary
/// data folder. Every worker takes work from every broker.
public final class KarezCluster: @unchecked Sendable {
    /// The brokers' front endpoints, in partition order.
    public let fronts: [String]
    /// The brokers' back endpoints, in the same order.
    public let backs: [String]
    public let store: String
    let directory: URL
    let settings: LoadSettings
    let collector: String?
    private let lock = NSLock()
    private var brokers: [Process?]
    private var workers: [Process] = []
    /// Last figures of every process, by pid, and its role.
    private var stats: [Int32: (role: String, stats: ProcessStats)] = [:]
    /// Figures of the processes alive when the load started (``markStart()``): what they spent
    /// before (starting up, a sweep's earlier steps) is not the load's.
    private var atStart: [Int32: ProcessStats] = [:]
    public private(set) var workerKills = 0, brokerKills = 0
    /// With `settings.curve`: the producers' keys for the broker's front endpoint.
    public private(set) var producerKeys: CurveClientKeys?
    /// Flags that turn CURVE on, per role (empty without `settings.curve`).
    private var brokerCurveFlags: [String] = [], workerCurveFlags: [String] = []
    /// How often each child's log showed a line when it was last waited for.
    private var loggedBefore: [String: [String: Int]] = [:]

    /// Starts the broker and the workers and waits until the broker answers.
    public init(settings: LoadSettings, collector: String?) throws {
        self.settings = settings
        self.collector = collector
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("karez-bench-\(settings.runID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let n = max(1, settings.brokers)
        fronts = try (0..<n).map { _ in "tcp://127.0.0.1:\(try Self.freePort())" }
        backs = try (0..<n).map { _ in "tcp://127.0.0.1:\(try Self.freePort())" }
        brokers = Array(repeating: nil, count: n)
        store = "sqlite:\(directory.path)/karez.sqlite"
        do {
            if settings.curve { try makeKeys() }
            for i in 0..<n { try startBroker(i) }
            for i in 0..<max(1, settings.workers) { workers.append(try startWorker(i)) }
            // The clock starts when every worker takes work: items published earlier would wait
            // for them and count as the broker's latency.
            for i in workers.indices { try awaitLog("worker-\(i)", "welcomed by the broker", times: n, process: workers[i], what: "worker \(i)") }
        } catch {
            stop()  // what did start, so a failed start leaves no process behind
            throw error
        }
    }

    /// The `karez` executable running now.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    private func spawn(_ role: String, _ arguments: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.executable)
        p.arguments = arguments
        let log = directory.appendingPathComponent("\(role).log")
        if !FileManager.default.fileExists(atPath: log.path) { _ = FileManager.default.createFile(atPath: log.path, contents: nil) }
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        return p
    }

    /// Keys for a CURVE run: the broker's, one for the producers and one for the workers, each
    /// allowed on its endpoint.
    private func makeKeys() throws {
        let keys = directory.appendingPathComponent("keys")
        for name in ["broker", "producer", "worker"] { _ = try CurveKeyFile.generate(name: name, directory: keys) }
        for (folder, name) in [("producers", "producer"), ("workers", "worker")] {
            let dir = keys.appendingPathComponent(folder)
            try DataFolder.create(dir)
            try FileManager.default.copyItem(at: keys.appendingPathComponent("\(name).pub"), to: dir.appendingPathComponent("\(name).pub"))
        }
        let path = { (file: String) in keys.appendingPathComponent(file).path }
        brokerCurveFlags = ["--curve-key", path("broker.key"), "--producers", path("producers"), "--workers", path("workers")]
        workerCurveFlags = ["--curve-key", path("worker.key"), "--server-key", path("broker.pub")]
        producerKeys = try CurveClientKeys(keyFile: path("producer.key"), serverKeyFile: path("broker.pub"))
    }

    /// The data folder of broker `i`.
    private func brokerData(_ i: Int) -> URL { directory.appendingPathComponent("broker-\(i)") }

    private func startBroker(_ i: Int) throws {
        let p = try spawn("broker-\(i)", ["broker", "--front", fronts[i], "--back", backs[i], "--data", brokerData(i).path, "--name", "bench-broker-\(i)",
                                          "--fsync", settings.fsync, "--lease-ms", "5000", "--collector", collector ?? "none"] + brokerCurveFlags)
        lock.withLock { brokers[i] = p }
        try awaitLog("broker-\(i)", "karez broker: front", times: 1, process: p, what: "broker \(i)")
    }

    /// Waits until the log of `role` shows `line` `times` more times than it did before (a
    /// started child says it serves), or throws when `process` died or 30 s passed.
    private func awaitLog(_ role: String, _ line: String, times: Int, process p: Process, what: String) throws {
        let log = directory.appendingPathComponent("\(role).log")
        let count = { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: line).count - 1 }
        let before = loggedBefore[role, default: [:]][line, default: 0]
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let now = count()
            if now >= before + times {
                loggedBefore[role, default: [:]][line] = now
                return
            }
            if !p.isRunning { throw LoadError("the \(what) did not start: \(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(500))") }
            usleep(10_000)
        }
        throw LoadError("the \(what) did not start within 30 s (see \(log.path))")
    }

    private func startWorker(_ i: Int) throws -> Process {
        // Generated records only: the published development key is fine here.
        var args = ["worker", "--broker", backs.joined(separator: ","), "--store", store, "--name", "bench-worker-\(i)", "--collector", collector ?? "none", "--dev-key"]
        if settings.kind == "noop" { args.append("--noop") }
        if !settings.pack { args.append("--no-pack") }
        args += workerCurveFlags
        return try spawn("worker-\(i)", args)
    }

    /// Reads every live child's CPU and memory, and with `threads` its context switches (one
    /// file per thread: at the end and before a kill, not on every sample). A reading never
    /// lowers a figure already read (a process that is exiting shows less).
    public func sample(threads: Bool = false) {
        lock.withLock {
            for (role, p) in brokers.map({ ("broker", $0) }) + workers.map({ ("worker", Optional($0)) }) {
                guard let p, p.isRunning, let s = ProcessStats.read(pid: p.processIdentifier, threads: threads) else { continue }
                stats[p.processIdentifier] = (role, stats[p.processIdentifier].map { $0.stats.merged(s) } ?? s)
            }
        }
    }

    /// Marks the start of the load: the figures of the processes alive now are subtracted from
    /// theirs at the end (a process started later, after a kill, counts from its start).
    public func markStart() {
        sample(threads: true)
        lock.withLock { atStart = stats.mapValues(\.stats) }
    }

    /// CPU, context switches and peak memory per role over every incarnation, since
    /// ``markStart()``.
    public var roleStats: [String: ProcessStats] {
        sample(threads: true)
        return lock.withLock {
            stats.reduce(into: [:]) { roles, entry in
                let (pid, (role, s)) = entry
                roles[role, default: ProcessStats()] = roles[role, default: ProcessStats()] + (atStart[pid].map { s.since($0) } ?? s)
            }
        }
    }

    /// kill -9 worker `i % workers` and start it again.
    public func killWorker(_ i: Int) throws {
        sample(threads: true)
        let index = i % max(1, workers.count)
        let old = lock.withLock { workers[index] }
        kill(old.processIdentifier, SIGKILL)
        old.waitUntilExit()
        let fresh = try startWorker(index)
        lock.withLock { workers[index] = fresh; workerKills += 1 }
    }

    /// kill -9 broker `i` (the first by default) and start it again on the same ports and journal.
    public func killBroker(_ i: Int = 0) throws {
        sample(threads: true)
        guard let old = lock.withLock({ brokers[i] }) else { return }
        kill(old.processIdentifier, SIGKILL)
        old.waitUntilExit()
        try startBroker(i)
        lock.withLock { brokerKills += 1 }
    }

    /// The brokers' dead-letter lists now: each id with the code of its first error.
    public var deadLetters: [String: String] {
        var out: [String: String] = [:]
        for i in brokers.indices {
            for letter in (try? DeadLetterFile.read(brokerData(i).appendingPathComponent("dead-letters.jsonl"))) ?? [] {
                guard let id = letter["id"]?.stringValue else { continue }
                out[id] = letter["reason"]?["errors"]?.arrayValue?.first?["code"]?.stringValue ?? ""
            }
        }
        return out
    }

    /// Stops everything (SIGTERM, then the folder is removed unless `keep`).
    public func stop(keep: Bool = false) {
        sample()
        // Workers first, while their brokers still answer their DRAIN; then the brokers.
        let (brokers, workers) = lock.withLock { (self.brokers.compactMap { $0 }, self.workers) }
        for group in [workers, brokers] {
            for p in group where p.isRunning { p.terminate() }
            for p in group { p.waitUntilExit() }
        }
        if !keep { try? FileManager.default.removeItem(at: directory) }
    }

    /// A TCP port on 127.0.0.1 that is free now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound else { throw LoadError("no free TCP port on 127.0.0.1") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }
}
