import Foundation
import KarezProtocol
import KarezTestSupport
import KarezWire
import Testing
import ZeroMQ

/// CURVE keys made with `karez keys generate`, and the allow-list folders a broker reads.
struct TestKeys {
    let dir: URL

    /// Generates `names` into DIR/keys and copies each listed public key into its folder.
    init(_ names: [String], folders: [String: [String]]) async throws {
        dir = ScratchFolder.make("keys")
        for name in names {
            let (status, out) = try await karez(["keys", "generate", name, "--dir", dir.appendingPathComponent("keys").path])
            guard status == 0 else { throw PipelineTestError("keys generate \(name): \(out)") }
        }
        for (folder, members) in folders {
            let target = dir.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for m in members { try FileManager.default.copyItem(at: key("\(m).pub"), to: target.appendingPathComponent("\(m).pub")) }
        }
    }

    func key(_ file: String) -> URL { dir.appendingPathComponent("keys").appendingPathComponent(file) }
    func path(_ file: String) -> String { key(file).path }
    func folder(_ name: String) -> String { dir.appendingPathComponent(name).path }

    /// A client's keys for the broker (`broker.pub`).
    func client(_ name: String, server: String = "broker") throws -> CurveClientKeys {
        try CurveClientKeys(keyFile: path("\(name).key"), serverKeyFile: path("\(server).pub"))
    }
}

/// A DEALER that sends one message and waits up to `timeout` for one answer.
func ask(_ endpoint: String, _ frames: [[UInt8]], keys: CurveClientKeys?, timeout: Duration = .seconds(2)) throws -> [[UInt8]]? {
    let context = try Context()
    let socket = try Socket(context, .dealer)
    defer { socket.close() }
    try keys?.apply(to: socket)
    try socket.set(.receiveTimeout(timeout))
    try socket.connect(endpoint)
    try socket.send(parts: frames)
    return try socket.receiveParts()
}

func text(_ frames: [[UInt8]]?) -> [String] { (frames ?? []).map { String(decoding: $0, as: UTF8.self) } }

func helloFrames(name: String, incarnation: String = UUID().uuidString) -> [[UInt8]] {
    let hello = Hello(name: name, host: "test-host", pid: 1, incarnation: incarnation, concurrency: 1, version: "1", kinds: nil)
    return WorkerMessage.hello(hello).frames
}

@Suite("Security: CURVE, allow-lists, secure defaults", .serialized)
struct SecurityTests {
    /// A CURVE broker answers only allowed keys: plaintext and unknown keys get nothing (the
    /// refusal is logged once with the key's fingerprint), producers get `PONG` but cannot purge,
    /// operators can; on the back endpoint only worker keys get in, and a worker name belongs to
    /// the key that holds it.
    @Test func aCurveBrokerAnswersOnlyAllowedKeys() async throws {
        let keys = try await TestKeys(["broker", "producer", "operator", "worker", "worker2", "stranger"],
                                      folders: ["producers": ["producer"], "operators": ["operator"], "workers": ["worker", "worker2"]])
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", keys.dir.appendingPathComponent("data").path,
                                "--collector", "none", "--curve-key", keys.path("broker.key"), "--producers", keys.folder("producers"),
                                "--workers", keys.folder("workers"), "--operators", keys.folder("operators")])
        _ = try await broker.waitFor("CURVE on")
        let ping = FrontRequest.ping.frames

        #expect(try ask(front, ping, keys: try keys.client("producer")).map(text)?.prefix(2) == ["KZ1", "PONG"])
        let stranger = try keys.client("stranger")
        #expect(try ask(front, ping, keys: stranger, timeout: .seconds(1)) == nil, "an unknown key gets no answer")
        let log = try await broker.waitFor("endpoint=front key=\(stranger.keyPair.publicKey.fingerprint)")
        #expect(log.contains("refused a connection"))
        #expect(try ask(front, ping, keys: nil, timeout: .seconds(1)) == nil, "a plaintext client gets no answer")
        // The broker kept serving while it refused them.
        #expect(try ask(front, ping, keys: try keys.client("producer")).map(text)?.prefix(2) == ["KZ1", "PONG"])

        let purge = FrontRequest.purge([]).frames
        let refused = text(try ask(front, purge, keys: try keys.client("producer")))
        #expect(refused.prefix(2) == ["KZ1", "ERR"] && refused.last?.contains("\"forbidden\"") == true, "\(refused)")
        #expect(text(try ask(front, purge, keys: try keys.client("operator"))).prefix(2) == ["KZ1", "DLQOK"])

        // Back endpoint: a producer's key is not a worker's.
        let producerOnBack = try keys.client("producer")
        #expect(try ask(back, helloFrames(name: "w"), keys: producerOnBack, timeout: .seconds(1)) == nil)
        _ = try await broker.waitFor("endpoint=back key=\(producerOnBack.keyPair.publicKey.fingerprint)")

        // A live worker's name is its key's: another allowed key is refused, the same key replaces it.
        let context = try Context()
        let holder = try Socket(context, .dealer)
        defer { holder.close() }
        try keys.client("worker").apply(to: holder)
        try holder.set(.receiveTimeout(.seconds(5)))
        try holder.connect(back)
        try holder.send(parts: helloFrames(name: "w1"))
        #expect(text(try holder.receiveParts()).prefix(2) == ["KZ1", "WELCOME"])
        let impostor = text(try ask(back, helloFrames(name: "w1"), keys: try keys.client("worker2")))
        #expect(impostor.prefix(2) == ["KZ1", "ERR"] && impostor.last?.contains("name_in_use") == true, "\(impostor)")
        let restarted = text(try ask(back, helloFrames(name: "w1"), keys: try keys.client("worker")))
        #expect(restarted.prefix(2) == ["KZ1", "WELCOME"], "the same key takes its name over: \(restarted)")
        #expect(try await broker.terminate() == 0)
    }

    /// Every client speaks CURVE: the pyzmq example publishes with its key files, a `karez
    /// worker` with its own stores every item, and `karez publish` without keys gets no broker.
    @Test func producersAndWorkersWorkOverCurve() async throws {
        let keys = try await TestKeys(["broker", "producer", "worker"], folders: ["producers": ["producer"], "workers": ["worker"]])
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", keys.dir.appendingPathComponent("data").path,
                                "--collector", "none", "--curve-key", keys.path("broker.key"), "--producers", keys.folder("producers"),
                                "--workers", keys.folder("workers")])
        _ = try await broker.waitFor("CURVE on")
        let items = keys.dir.appendingPathComponent("patients.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "300", "--seed", "5", "--output", items.path]).0 == 0)
        let (status, out) = try await runToEnd("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("examples/python/publish.py").path,
                                                                "--curve-key", keys.path("producer.key"), "--server-key", keys.path("broker.pub"),
                                                                "patient", items.path, front])
        #expect(status == 0 && out.contains("300 acknowledged"), "\(out)")
        let store = "sqlite:\(keys.dir.path)/karez.sqlite"
        let worker = try Child(["worker", "--broker", back, "--store", store, "--collector", "none",
                                "--curve-key", keys.path("worker.key"), "--server-key", keys.path("broker.pub")])
        #expect(try await waitStored(store, "patient", 300) == 300)
        let (plain, plainOut) = try await karez(["publish", "--broker", front, "--timeout", "2", items.path])
        #expect(plain == 2 && plainOut.contains("--curve-key"), "\(plainOut)")
        #expect(try await worker.terminate() == 0)
        #expect(try await broker.terminate() == 0)
    }

    /// Key files are checked before anything listens: a secret key readable by others, a
    /// missing file and a public key given as the secret one are each refused with one line.
    @Test func badKeyFilesAreRefusedWithOneLine() async throws {
        let keys = try await TestKeys(["broker"], folders: ["producers": ["broker"]])
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        func start(_ key: String) async throws -> (Int32, String) {
            try await karez(["broker", "--front", front, "--back", back, "--data", keys.dir.appendingPathComponent("data").path,
                             "--collector", "none", "--curve-key", key, "--producers", keys.folder("producers")], timeout: .seconds(30))
        }
        chmod(keys.path("broker.key"), 0o644)
        let (open, openOut) = try await start(keys.path("broker.key"))
        #expect(open == 1 && openOut.contains("readable by group or others") && openOut.contains("chmod 600"), "\(openOut)")
        let (missing, missingOut) = try await start(keys.path("nobody.key"))
        #expect(missing == 1 && missingOut.contains("no such secret key file"), "\(missingOut)")
        let (pub, pubOut) = try await start(keys.path("broker.pub"))
        #expect(pub == 1 && pubOut.contains("no secret-key line"), "\(pubOut)")
        for out in [openOut, missingOut, pubOut] {
            #expect(out.split(separator: "\n").count == 1, "one line: \(out)")
        }
    }

    /// Without CURVE, an endpoint beyond loopback refuses to start unless `--insecure` (then a
    /// warning); `karez up` with its defaults listens on 127.0.0.1 only.
    @Test func defaultsBindLoopbackOnly() async throws {
        let dir = ScratchFolder.make("defaults")
        let (status, out) = try await karez(["broker", "--front", "tcp://*:\(freePort())", "--back", "tcp://127.0.0.1:\(freePort())",
                                             "--data", dir.appendingPathComponent("refused").path, "--collector", "none"], timeout: .seconds(30))
        #expect(status == 1 && out.contains("without CURVE") && out.contains("--insecure"), "\(out)")
        let insecure = try Child(["broker", "--front", "tcp://*:\(freePort())", "--back", "tcp://127.0.0.1:\(freePort())",
                                  "--data", dir.appendingPathComponent("insecure").path, "--collector", "none", "--insecure"])
        let said = try await insecure.waitFor("karez broker: front")
        #expect(said.contains("WARNING") && said.contains("without CURVE"), "\(said)")
        #expect(try await insecure.terminate() == 0)

        let up = try Child(["up", "--data", dir.appendingPathComponent("up").path, "--worker-count", "0"])
        _ = try await up.waitFor("karez up: dashboard")
        _ = try await up.waitFor("Ctrl-C to stop")  // the broker listens (its parts start together)
        let listening = try listeningAddresses(pid: up.process.processIdentifier)
        #expect(listening.count >= 4, "front, back, intake and HTTP: \(listening)")
        #expect(listening.allSatisfy { $0.hasPrefix("127.0.0.1:") || $0.hasPrefix("[::1]:") }, "\(listening)")
        #expect(try await up.terminate() == 0)
    }
}

/// The TCP addresses a process listens on, from /proc (its socket inodes matched against
/// /proc/net/tcp and tcp6).
func listeningAddresses(pid: Int32) throws -> [String] {
    let fds = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
    let inodes = Set(fds.compactMap { fd -> String? in
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)"),
              target.hasPrefix("socket:[") else { return nil }
        return String(target.dropFirst(8).dropLast())
    })
    var out: [String] = []
    for (file, v6) in [("/proc/net/tcp", false), ("/proc/net/tcp6", true)] {
        // Read to the end: /proc files report size 0, and a busy machine's table is long.
        guard let handle = FileHandle(forReadingAtPath: file), let data = try? handle.readToEnd() else { continue }
        let table = String(decoding: data, as: UTF8.self)
        for line in table.split(separator: "\n").dropFirst() {
            let f = line.split(separator: " ")
            guard f.count > 9, f[3] == "0A", inodes.contains(String(f[9])) else { continue }  // 0A: LISTEN
            let parts = f[1].split(separator: ":")
            let port = Int(parts[1], radix: 16) ?? 0
            out.append(v6 ? "[\(parts[0] == "00000000000000000000000001000000" ? "::1" : String(parts[0]))]:\(port)" : "\(ipv4(String(parts[0]))):\(port)")
        }
    }
    return out
}

/// A little-endian hex IPv4 address of /proc/net/tcp as dotted text.
func ipv4(_ hex: String) -> String {
    let n = UInt32(hex, radix: 16) ?? 0
    return [n & 0xFF, (n >> 8) & 0xFF, (n >> 16) & 0xFF, n >> 24].map(String.init).joined(separator: ".")
}
