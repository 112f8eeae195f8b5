import Foundation
import KarezProtocol
import KarezTestSupport
import Testing
import ZeroMQ

/// CPU time of every thread of a process, in nanoseconds (`/proc/PID/task/*/schedstat`).
func cpuNanoseconds(pid: Int32) -> UInt64 {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
    return tasks.reduce(0) { sum, task in
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/task/\(task)/schedstat", encoding: .utf8)) ?? ""
        return sum + (UInt64(stat.split(separator: " ").first ?? "0") ?? 0)
    }
}

/// Resident memory of a process in KiB (`VmRSS`).
func residentKiB(pid: Int32) -> Int {
    let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
}

/// A JSON object of `count` members whose names all have the same length: the input that made
/// member lookup quadratic.
func equalLengthMembers(_ count: Int, extra: String = "") -> [UInt8] {
    Array(("{" + extra + (0..<count).map { String(format: "\"m%09d\":0", $0) }.joined(separator: ",") + "}").utf8)
}

@Suite("Hostile input stays cheap", .serialized)
struct HostileInputTests {
    /// The attacks of the security review, against one `karez up` (broker and collector in one
    /// process): each costs the process at most 50 ms of CPU, each gets its refusal, and
    /// afterwards the process's memory is within twice what it was before.
    @Test func eachHostileMessageCostsLittleAndMemoryComesBack() async throws {
        let dir = ScratchFolder.make("hostile")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())", intake = "tcp://127.0.0.1:\(freePort())"
        let up = try Child(["up", "--data", dir.path, "--front", front, "--back", back, "--intake", intake, "--http-port", "0", "--worker-count", "0"])
        let said = try await up.waitFor("karez up: dashboard")
        let base = try #require(said.range(of: "dashboard ").map { said[$0.upperBound...].prefix { !$0.isWhitespace } }.map(String.init))
        let pid = up.process.processIdentifier
        let context = try Context()
        let producer = try Socket(context, .dealer), worker = try Socket(context, .dealer), pusher = try Socket(context, .push)
        defer { producer.close(); worker.close(); pusher.close() }
        for s in [producer, worker] { try s.set(.receiveTimeout(.seconds(30))) }
        try producer.connect(front)
        try worker.connect(back)
        try pusher.connect(intake)
        // Warm up (connections made, first allocations done), then take the baseline.
        try producer.send(parts: FrontRequest.ping.frames)
        #expect(text(try producer.receiveParts()).prefix(2) == ["KZ1", "PONG"])
        let baseline = residentKiB(pid: pid)
        var costs: [(String, Double)] = []

        /// Sends, waits for the answer, and records the CPU the process spent meanwhile; at most
        /// 50 ms beyond `allowance` (what raw libzmq spends on the same message).
        func measure(_ label: String, _ socket: Socket, _ frames: [[UInt8]], allowance: Double = 0, expect: (([String]) -> Bool)) throws {
            let before = cpuNanoseconds(pid: pid)
            try socket.send(parts: frames)
            // The broker's heartbeats to a registered worker come at any time (PROTOCOL.md 4.3):
            // they are not the answer.
            var reply = text(try socket.receiveParts())
            while reply.prefix(2) == ["KZ1", "HB"] { reply = text(try socket.receiveParts()) }
            let ms = Double(cpuNanoseconds(pid: pid) - before) / 1e6
            costs.append((label, ms))
            #expect(expect(reply), "\(label): \(reply.map { $0.prefix(200) })")
            #expect(ms <= 50 + allowance, "\(label) cost \(ms) ms of CPU (raw libzmq: \(allowance) ms)")
        }
        let isTooLarge = { (r: [String]) in r.prefix(2) == ["KZ1", "ERR"] && r.last?.contains("too_large") == true }

        // 1. A HELLO of 1.27 MiB of equal-length member names (31 s of the broker's loop before).
        let hugeHello = [ProtocolTag.v1Bytes, Array("HELLO".utf8), equalLengthMembers(100_000)]
        try measure("quadratic-JSON HELLO (\(hugeHello[2].count) bytes)", worker, hugeHello, expect: isTooLarge)
        // 2. An item of the same shape: the broker never parses bodies; it is acknowledged.
        let item = equalLengthMembers(60_000, extra: "\"id\":\"q-1\",")
        try measure("quadratic-JSON item (\(item.count) bytes)", producer, [ProtocolTag.v1Bytes, Array("PUB".utf8), Array("q-1".utf8), Array("patient".utf8), item]) {
            $0.prefix(2) == ["KZ1", "ACK"]
        }
        // 3. A million empty frames in one message. libzmq decodes every frame before the first
        // is handed over, so its own cost (raw libzmq in C, measured now) comes on top.
        let million = [ProtocolTag.v1Bytes, Array("PUB".utf8)] + Array(repeating: [UInt8](), count: 1_000_000)
        let libzmq = try await rawLibzmqCost(of: million)
        try measure("a million empty frames", producer, million, allowance: libzmq, expect: isTooLarge)
        costs.append(("(raw libzmq on the same message)", libzmq))
        // 4. Two dozen messages of a 15 MiB body each, and one of two 15 MiB frames: libzmq
        // allocates and copies each frame before handing it over (its cost measured now).
        let big = [UInt8](repeating: 0x20, count: 15 << 20)
        let bigMessage = { (i: Int) in [ProtocolTag.v1Bytes, Array("PUB".utf8), Array("big-\(i)".utf8), Array("patient".utf8), big] }
        let libzmqBig = try await rawLibzmqCost(of: bigMessage(0))
        costs.append(("(raw libzmq on a 15 MiB message)", libzmqBig))
        for i in 0..<24 {
            try measure("15 MiB body #\(i + 1)", producer, bigMessage(i), allowance: libzmqBig) {
                $0.prefix(2) == ["KZ1", "NAK"] && $0.last?.contains("too_large") == true
            }
        }
        try measure("two 15 MiB frames in one message", producer, [ProtocolTag.v1Bytes, Array("PUB".utf8), Array("b".utf8), Array("patient".utf8), big, big],
                    allowance: 2 * libzmqBig, expect: isTooLarge)
        // 5. Packed messages (PROTOCOL.md 2.5): 15 MiB where the packed command or the command
        // goes (never made text whole), a packed frame of the most fields, a packed DONE beyond
        // the worker message's frame limit.
        let garbage = [UInt8](repeating: 0xFF, count: 15 << 20)
        let isUnknown = { (r: [String]) in r.prefix(2) == ["KZ1", "ERR"] && r.last?.contains("unknown_command") == true }
        try measure("PACK of a 15 MiB packed command", producer, [ProtocolTag.v1Bytes, Array("PACK".utf8), garbage, []],
                    allowance: libzmqBig, expect: isUnknown)
        try measure("a 15 MiB command", producer, [ProtocolTag.v1Bytes, garbage], allowance: libzmqBig, expect: isUnknown)
        let emptyFields = [UInt8](repeating: 0, count: 4 * Pack.maxFields)
        try measure("PACK PUB of \(Pack.maxFields) empty fields", producer, [ProtocolTag.v1Bytes, Array("PACK".utf8), Array("PUB".utf8), emptyFields]) {
            $0.prefix(2) == ["KZ1", "ERR"] && $0.last?.contains("bad_frame") == true
        }
        try worker.send(parts: WorkerMessage.hello(Hello(name: "hostile", host: "h", pid: 1, incarnation: "hostile-1", concurrency: 1, version: "t")).frames)
        #expect(text(try worker.receiveParts()).prefix(2) == ["KZ1", "WELCOME"])
        let tags = (0..<3000).flatMap { i -> [UInt8] in let t = Array(String(1_000_000 + i).utf8); return [0, 0, 0, UInt8(t.count)] + t }
        try measure("PACK DONE of 3000 tags (beyond the frame limit)", worker, [ProtocolTag.v1Bytes, Array("PACK".utf8), Array("DONE".utf8), tags], expect: isTooLarge)
        // 6. Snapshots: one over the intake's size limit and one of many members under it.
        for (label, body) in [("METRICS over 1 MiB", equalLengthMembers(100_000)), ("METRICS of 70,000 members", equalLengthMembers(70_000))] {
            let invalidBefore = try await scrapedValue(base, "karez_collector_snapshots_invalid_total")
            let before = cpuNanoseconds(pid: pid)
            try pusher.send(parts: [ProtocolTag.v1Bytes, Array("METRICS".utf8), body])
            #expect(try await eventually(timeout: .seconds(30)) { try await scrapedValue(base, "karez_collector_snapshots_invalid_total") > invalidBefore })
            let ms = Double(cpuNanoseconds(pid: pid) - before) / 1e6
            costs.append(("\(label) (with the scrapes that saw it)", ms))
            #expect(ms <= 50, "\(label) cost \(ms) ms of CPU")
        }
        let after = residentKiB(pid: pid)
        print("hostile input, CPU per message: " + costs.map { "\($0.0) \(String(format: "%.1f", $0.1)) ms" }.joined(separator: "; "))
        print("hostile input, RSS: \(baseline / 1024) MiB before, \(after / 1024) MiB after")
        #expect(after <= 2 * baseline, "RSS \(baseline) KiB before, \(after) KiB after")
        #expect(try await up.terminate() == 0)
    }

    /// Replies repeat a message's envelope and echo its ids: neither may grow with what the peer
    /// sends. A 512 KiB "envelope" is no envelope (one `ERR bad_frame`), and ids of 4 MiB or of
    /// 14 KB control characters are echoed cut to 128 bytes.
    @Test func repliesDoNotGrowWithWhatThePeerSends() async throws {
        let dir = ScratchFolder.make("amplify")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.path, "--collector", "none"])
        _ = try await broker.waitFor("karez broker: front")
        let pid = broker.process.processIdentifier
        let context = try Context()
        let peer = try Socket(context, .dealer)
        defer { peer.close() }
        try peer.set(.receiveTimeout(.seconds(30)))
        try peer.connect(front)
        try peer.send(parts: FrontRequest.ping.frames)
        _ = try peer.receiveParts()
        let baseline = residentKiB(pid: pid)
        func replies(to frames: [[UInt8]], count: Int) throws -> (bytes: Int, ms: Double, first: [String]) {
            let before = cpuNanoseconds(pid: pid)
            try peer.send(parts: frames)
            var bytes = 0, first: [String] = []
            for i in 0..<count {
                let reply = try #require(try peer.receiveParts(), "reply \(i + 1) of \(count)")
                if i == 0 { first = text(reply) }
                bytes += reply.reduce(0) { $0 + $1.count }
            }
            return (bytes, Double(cpuNanoseconds(pid: pid) - before) / 1e6, first)
        }
        let items = (0..<1000).flatMap { _ in [Array("!".utf8), Array("news".utf8), Array("{}".utf8)] }
        let envelope = try replies(to: [[UInt8](repeating: 0x61, count: 512 << 10), [], ProtocolTag.v1Bytes, Array("PUB".utf8)] + items, count: 1)
        #expect(envelope.first.prefix(2) == ["KZ1", "ERR"] && envelope.first.last?.contains("bad_frame") == true, "\(envelope.first.map { $0.prefix(100) })")
        let hugeID = try replies(to: [ProtocolTag.v1Bytes, Array("PUB".utf8), [UInt8](repeating: 1, count: 4 << 20), Array("news".utf8)], count: 1)
        let controlIDs = (0..<1000).flatMap { i in [[UInt8](repeating: 1, count: 14_000) + Array("\(i)".utf8), Array("news".utf8), Array("{}".utf8)] }
        let badIDs = [ProtocolTag.v1Bytes, Array("PUB".utf8)] + controlIDs
        // 14 MB arrive either way: raw libzmq's cost of receiving them is measured now.
        let libzmq = try await rawLibzmqCost(of: badIDs)
        let naks = try replies(to: badIDs, count: 1000)
        print("amplification: 512 KiB envelope → \(envelope.bytes) bytes, \(envelope.ms) ms; 4 MiB id → \(hugeID.bytes) bytes, \(hugeID.ms) ms; "
              + "1000 ids of 14 KB → \(naks.bytes) bytes of NAK, \(naks.ms) ms (raw libzmq \(libzmq) ms); RSS \(baseline / 1024) → \(residentKiB(pid: pid) / 1024) MiB")
        #expect(envelope.bytes < 4096 && hugeID.bytes < 4096, "\(envelope.bytes), \(hugeID.bytes)")
        #expect(naks.bytes <= 1000 * 2048, "\(naks.bytes) bytes of NAK for 1000 bad ids (14 MB sent)")
        #expect(naks.ms <= 50 + libzmq, "1000 bad ids cost \(naks.ms) ms (raw libzmq receiving them: \(libzmq) ms)")
        #expect(envelope.ms <= 50 && hugeID.ms <= 50, "\(envelope.ms) ms, \(hugeID.ms) ms")
        #expect(residentKiB(pid: pid) <= 2 * baseline)
        #expect(try await broker.terminate() == 0)
    }

    /// A worker that asks for credit and never reads its socket is sent at most the broker's
    /// per-worker bytes in flight (16 MiB); everything else goes to a worker that reads.
    @Test func aWorkerThatNeverReadsIsSentNoMoreThanItsShare() async throws {
        let dir = ScratchFolder.make("nonreader")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.path, "--collector", "none", "--max-item-bytes", "\(2 << 20)"])
        _ = try await broker.waitFor("karez broker: front")
        let context = try Context()
        let producer = try Socket(context, .dealer), sink = try Socket(context, .dealer), reader = try Socket(context, .dealer)
        defer { producer.close(); sink.close(); reader.close() }
        for s in [producer, sink, reader] { try s.set(.receiveTimeout(.seconds(10))) }
        try producer.connect(front)
        try sink.connect(back)
        try reader.connect(back)
        try sink.send(parts: helloFrames(name: "sink"))
        #expect(text(try sink.receiveParts()).prefix(2) == ["KZ1", "WELCOME"])
        try sink.send(parts: WorkerMessage.credit(1000).frames)
        // 100 items of 1 MiB: 100 MiB if the broker sent the sink all its credit asks for.
        let n = 100
        let body = Array(("{\"id\":\"x\",\"pad\":\"" + String(repeating: "a", count: 1 << 20) + "\"}").utf8)
        for i in 0..<n {
            try producer.send(parts: FrontRequest.publish([PublishedItem(id: "big-\(i)", kind: "patient", body: body)]).frames)
            #expect(text(try producer.receiveParts()).prefix(2) == ["KZ1", "ACK"])
            try sink.send(parts: WorkerMessage.heartbeat.frames)  // alive, only not reading
        }
        try reader.send(parts: helloFrames(name: "reader"))
        #expect(text(try reader.receiveParts()).prefix(2) == ["KZ1", "WELCOME"])
        try reader.send(parts: WorkerMessage.credit(1000).frames)
        /// Ids of the jobs in the next message (nil: none came); with `done`, acknowledged at once.
        func jobs(_ socket: Socket, done: Bool) throws -> [String]? {
            guard let frames = try socket.receiveParts() else { return nil }
            guard case .success(.jobs(let jobs)) = BrokerMessage.decode(ByteFrames(frames)) else { return [] }
            if done { try socket.send(parts: WorkerMessage.done(jobs.map(\.delivery)).frames) }
            return jobs.map(\.id)
        }
        var read = Set<String>()
        while read.count < n - 17, let got = try jobs(reader, done: true) { read.formUnion(got) }
        // The sink's share is in its socket already (sent before the rest went to the reader).
        try sink.set(.receiveTimeout(.milliseconds(500)))
        var held = Set<String>()
        while let got = try jobs(sink, done: false) { held.formUnion(got) }
        print("non-reading worker: sent \(held.count) jobs of 1 MiB; the reading worker got \(read.count)")
        #expect(held.union(read).count == n, "sink \(held.count), reader \(read.count)")
        #expect(held.count <= 17, "the non-reading worker was sent \(held.count) MiB")
        #expect(try await broker.terminate() == 0)
    }
}

/// What raw libzmq in C (`karez bench drain`) spends receiving `frames` as one message.
func rawLibzmqCost(of frames: [[UInt8]]) async throws -> Double {
    let drain = try Child(["bench", "drain"])
    let endpoint = try #require(endpoint(after: "listening on ", in: try await drain.waitFor("listening on")))
    let context = try Context()
    let socket = try Socket(context, .dealer)
    defer { socket.close() }
    try socket.connect(endpoint)
    try socket.send(parts: frames)
    let out = try await drain.waitFor("of CPU")
    #expect(try await drain.finish() == 0)
    let ms = out.range(of: "bytes, ").flatMap { Double(out[$0.upperBound...].prefix { $0 != " " }) }
    return try #require(ms, "\(out)")
}

/// The value of one unlabelled sample of the collector's `/metrics`.
func scrapedValue(_ base: String, _ name: String) async throws -> Double {
    let text = try await httpGet(base + "metrics")
    let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") } ?? ""
    return Double(line.split(separator: " ").last ?? "0") ?? 0
}
