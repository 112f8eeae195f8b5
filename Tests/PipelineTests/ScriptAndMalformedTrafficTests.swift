import Foundation
import KarezTestSupport
import KarezProtocol
import Testing
import ZeroMQ

@Suite("Other languages and hostile traffic", .serialized)
struct ScriptAndMalformedTrafficTests {
    /// examples/python/publish.py speaks proto-json with pyzmq, nothing of ours.
    @Test func thePythonExamplePublishesIntoALiveBroker() async throws {
        let dir = ScratchFolder.make("py")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0"])
        let front = try #require(endpoint(after: "publish to ", in: try await up.waitFor("Ctrl-C to stop")))
        let items = dir.appendingPathComponent("patients.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "500", "--seed", "11", "--output", items.path]).0 == 0)
        let (status, out) = try await runToEnd("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("examples/python/publish.py").path,
                                                                "patient", items.path, front])
        #expect(status == 0, "\(out)")
        #expect(out.contains("500 acknowledged"), "\(out)")
        #expect(try await waitStored("sqlite:\(dir.path)/karez.sqlite", "patient", 500) == 500)
        // --wait: PUBW, and FIN for every item once a worker stored it.
        let more = dir.appendingPathComponent("more.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "300", "--seed", "12", "--output", more.path]).0 == 0)
        let (ws, wout) = try await runToEnd("/usr/bin/env", ["python3", repoRoot.appendingPathComponent("examples/python/publish.py").path,
                                                             "--wait", "patient", more.path, front])
        #expect(ws == 0, "\(wout)")
        #expect(wout.contains("300 acknowledged") && wout.contains("300 done, 0 dead-lettered, 0 unfinished"), "\(wout)")
        #expect(try await up.terminate() == 0)
    }

    /// An item whose body claims another item's id is refused (`inconsistent` at `/id`, dead
    /// letter, `FIN dead`) and stores nothing; the legitimate item with that id, published
    /// afterwards, is stored with its own content.
    @Test func aBodyClaimingAnotherIDIsRefusedAndTheRealItemKeepsItsContent() async throws {
        let dir = ScratchFolder.make("squat")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0"])
        let front = try #require(endpoint(after: "publish to ", in: try await up.waitFor("Ctrl-C to stop")))
        let context = try Context()
        let producer = try Socket(context, .dealer)
        try producer.set(.receiveTimeout(.seconds(30)))
        try producer.set(.linger(.zero))
        try producer.connect(front)
        func story(_ id: String, _ title: String) -> [UInt8] {
            Array(#"{"id":"\#(id)","kind":"news","title":"\#(title)","body":"二二一团职工医院接诊患者723人次。","language":"zh"}"#.utf8)
        }
        /// Publishes one item with PUBW and returns its FIN outcome.
        func publishAndWait(_ idFrame: String, _ body: [UInt8]) throws -> String {
            try producer.send(parts: [Array("KZ1".utf8), Array("PUBW".utf8), Array(idFrame.utf8), Array("news".utf8), body])
            while let parts = try producer.receiveParts(wait: true) {
                let command = String(decoding: parts[1], as: UTF8.self)
                if command == "FIN", parts.dropFirst(3).contains(Array(idFrame.utf8)) { return String(decoding: parts[2], as: UTF8.self) }
                if command == "NAK" || command == "ERR" { return command }
            }
            return "no answer"
        }
        #expect(try publishAndWait("squatter-1", story("victim-1", "抢占")) == "dead")
        #expect(try publishAndWait("victim-1", story("victim-1", "真正的报道")) == "done")
        producer.close()
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let (qs, stored) = try await karez(["query", "--store", store, "--kind", "news", "--id", "victim-1"])
        #expect(qs == 0 && stored.contains("真正的报道") && !stored.contains("抢占"), "\(stored)")
        #expect(try await karez(["query", "--store", store, "--kind", "news", "--id", "squatter-1"]).0 != 0, "the squatter was stored")
        let (_, letters) = try await karez(["dlq", "list", "--data", dir.path])
        #expect(letters.contains("squatter-1") && letters.contains("/id: inconsistent"), "\(letters)")
        #expect(try await up.terminate() == 0)
    }

    /// Garbage on both endpoints never crashes or stalls the broker; good traffic keeps flowing.
    @Test func malformedFramesOnBothEndpointsAreAnsweredOrIgnored() async throws {
        let dir = ScratchFolder.make("fuzz")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0"])
        let banner = try await up.waitFor("Ctrl-C to stop")
        let front = try #require(endpoint(after: "publish to ", in: banner))
        let back = try #require(endpoint(after: "workers on ", in: banner))
        let context = try Context()
        let f = try Socket(context, .dealer)
        let b = try Socket(context, .dealer)
        for s in [f, b] { try s.set(.receiveTimeout(.seconds(5))); try s.set(.linger(.zero)) }
        try f.connect(front)
        try b.connect(back)
        let huge = [UInt8](repeating: 0x41, count: 2 << 20)
        let garbage: [[[UInt8]]] = [
            [[0xFF, 0xFE]], [Array("KZ9".utf8), Array("PUB".utf8)], [Array("KZ1".utf8)], [Array("KZ1".utf8), Array("NOPE".utf8)],
            [Array("KZ1".utf8), Array("PUB".utf8), Array("a".utf8), Array("news".utf8)],
            [Array("KZ1".utf8), Array("PUB".utf8), Array("x".utf8), Array("news".utf8), [0x7B, 0xC3, 0x28]],
            [Array("KZ1".utf8), Array("PUB".utf8), Array("huge".utf8), Array("news".utf8), huge],
            [Array("KZ1".utf8), Array("PUB".utf8), Array("bad id!".utf8), Array("news".utf8), Array("{}".utf8)],
            [Array("KZ1".utf8), Array("CREDIT".utf8), Array("-1".utf8)], [Array("KZ1".utf8), Array("DONE".utf8), Array("x".utf8)],
            [[], [], []], [Array(repeating: 0, count: 100)],
        ]
        for message in garbage {
            try f.send(parts: message)
            try b.send(parts: message)
        }
        // The front answers every understandable mistake with ERR or NAK, each precisely.
        var codes: [String] = []
        while let parts = try f.receiveParts(wait: true), codes.count < 9 {
            if case .success(let reply) = FrontReply.decode(ByteFrames(parts)) {
                switch reply {
                case .error(let e): codes += e.errors.map(\.code)
                case .nak(_, let e): codes += e.errors.map(\.code)
                default: break
                }
            }
        }
        for code in ["unsupported_version", "bad_frame", "unknown_command", "invalid_utf8", "too_large", "bad_id"] {
            #expect(codes.contains(code), "no \(code) among \(codes)")
        }
        // The back refuses commands from a worker that never said HELLO.
        let backReply = try #require(try b.receiveParts())
        #expect(String(decoding: backReply[1], as: UTF8.self) == "ERR")
        // Meanwhile correct traffic flows.
        let items = ScratchFolder.make("fuzz-items").appendingPathComponent("n.jsonl")
        #expect(try await karez(["gen", "--kind", "lead", "--count", "200", "--seed", "5", "--output", items.path]).0 == 0)
        let (status, out) = try await karez(["publish", "--broker", front, items.path])
        #expect(status == 0 && out.contains("acknowledged 200"), "\(out)")
        #expect(try await waitStored("sqlite:\(dir.path)/karez.sqlite", "lead", 200) == 200)
        #expect(up.isRunning)
        f.close()
        b.close()
        #expect(try await up.terminate() == 0)
    }
}
