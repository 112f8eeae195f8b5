import Foundation
import KarezProtocol
import KarezTestSupport
import Testing
import ZeroMQ

@Suite("Logs: swift-log, text or one JSON object per line", .serialized)
struct LoggingTests {
    /// `--log-format json`: every line a process writes is a JSON object with time, level, role
    /// and message, and an event's details under `fields` (a refused CURVE key here); SIGTERM
    /// ends the broker with exit 0 and its last line says so.
    @Test func jsonLinesParseAndCarryLevelRoleMessageAndFields() async throws {
        let keys = try await TestKeys(["broker", "producer", "stranger"], folders: ["producers": ["producer"]])
        let front = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", "tcp://127.0.0.1:\(freePort())", "--data", keys.dir.appendingPathComponent("data").path,
                                "--collector", "none", "--curve-key", keys.path("broker.key"), "--producers", keys.folder("producers"),
                                "--log-format", "json", "--log-level", "debug"])
        _ = try await broker.waitFor("CURVE on")
        #expect(try ask(front, FrontRequest.ping.frames, keys: try keys.client("stranger"), timeout: .seconds(1)) == nil)
        _ = try await broker.waitFor("refused a connection")
        #expect(try await broker.terminate() == 0)
        let lines = broker.text.split(separator: "\n").filter { !$0.isEmpty }
        var objects: [JSONValue] = []
        for line in lines {
            let parsed = try? JSONParser.parse(Array(line.utf8))
            #expect(parsed?.objectValue != nil, "not a JSON object: \(line)")
            if let parsed { objects.append(parsed) }
        }
        for o in objects {
            #expect(o["time"]?.stringValue != nil && o["level"]?.stringValue != nil && o["role"]?.stringValue != nil && o["message"]?.stringValue != nil, "\(JSONWriter.string(o))")
        }
        let refusal = try #require(objects.first { $0["message"]?.stringValue == "refused a connection: key not allowed" })
        #expect(refusal["level"] == "warning" && refusal["role"] == "broker.auth")
        #expect(refusal["fields"]?["endpoint"] == "front" && refusal["fields"]?["key"]?.stringValue?.count == 16)
        // At debug level the service group's lifecycle lines (role "services") come first.
        let said = objects.filter { $0["role"] == "broker" }
        #expect(said.first?["message"]?.stringValue?.hasPrefix("front ") == true, "\(said.first.map(JSONWriter.string) ?? "none")")
        #expect(objects.contains { $0["role"] == "services" && $0["level"] == "debug" })
        #expect(objects.last?["message"] == "stopped cleanly", "the last line: \(objects.last.map(JSONWriter.string) ?? "none")")
    }
}

@Suite("SIGTERM to each role: exit 0, its last line, nothing lost", .serialized)
struct TerminationTests {
    /// The last non-empty line a process wrote.
    func lastLine(_ child: Child) -> String { child.text.split(separator: "\n").last.map(String.init) ?? "" }

    /// A broker, a worker and a collector as separate processes, and `karez up`: 2,000 items
    /// published with `--wait` are all stored once; then SIGTERM to each ends it with exit 0
    /// and a last line saying it stopped (the collector's says where its totals are).
    @Test func eachRoleStopsCleanlyAndLosesNothing() async throws {
        let dir = ScratchFolder.make("sigterm")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())", intake = "tcp://127.0.0.1:\(freePort())"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let collector = try Child(["collector", "--intake", intake, "--http-port", "0", "--store", "none", "--data", dir.appendingPathComponent("collector").path])
        _ = try await collector.waitFor("dashboard http")
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path, "--collector", intake])
        _ = try await broker.waitFor("karez broker: front")
        let worker = try Child(["worker", "--broker", back, "--store", store, "--collector", intake, "--name", "sigterm-worker"])
        let items = dir.appendingPathComponent("items.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "2000", "--seed", "3", "--output", items.path]).0 == 0)
        let (status, out) = try await karez(["publish", "--broker", front, "--wait", items.path])
        #expect(status == 0 && out.contains("done 2000"), "\(out)")
        #expect(try await storedCount(store, "patient") == 2000)
        #expect(try await worker.terminate() == 0)
        #expect(lastLine(worker).contains("karez worker: stopped; stored 2000"), "\(lastLine(worker))")
        #expect(try await broker.terminate() == 0)
        #expect(lastLine(broker).contains("karez broker: stopped cleanly"), "\(lastLine(broker))")
        #expect(try await collector.terminate() == 0)
        #expect(lastLine(collector).contains("karez collector: stopped; totals saved"), "\(lastLine(collector))")

        let up = try Child(["up", "--data", dir.appendingPathComponent("up").path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0"])
        _ = try await up.waitFor("Ctrl-C to stop")
        #expect(try await up.terminate() == 0)
        #expect(lastLine(up).contains("karez up: stopped"), "\(lastLine(up))")
    }
}

@Suite("SIGTERM drains a worker", .serialized)
struct DrainTests {
    /// SIGTERM to one of two workers while 20,000 items flow: it says `DRAIN`, finishes and
    /// answers what it holds and leaves with nothing in hand, so every item is stored once with
    /// attempt 1 (nothing was redelivered) and the worker exits 0.
    @Test func sigtermMidRunBurnsNoAttemptAndLosesNothing() async throws {
        let dir = ScratchFolder.make("drain")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path, "--collector", "none"])
        _ = try await broker.waitFor("karez broker: front")
        let workers = try (0..<2).map { i in
            try Child(["worker", "--broker", back, "--store", store, "--collector", "none", "--name", "drain-\(i)", "--credit", "200"])
        }
        let items = dir.appendingPathComponent("items.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "20000", "--seed", "8", "--output", items.path]).0 == 0)
        let publisher = try Child(["publish", "--broker", front, "--wait", "--window", "2000", items.path])
        #expect(try await eventually(timeout: .seconds(120)) { try await storedCount(store, "patient") >= 3000 })
        #expect(try await workers[0].terminate() == 0, "\(workers[0].text)")
        let stopped = workers[0].text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(stopped.contains("karez worker: stopped"), "\(stopped)")
        #expect(try await publisher.finish(timeout: .seconds(180)) == 0, "\(publisher.text)")
        #expect(publisher.text.contains("done 20000"), "\(publisher.text)")
        #expect(try await storedCount(store, "patient") == 20000)
        let (status, rows) = try await karez(["query", "--store", store, "--kind", "patient", "--limit", "20000"])
        #expect(status == 0)
        let attempts = rows.split(separator: "\n").compactMap { try? JSONParser.parse(Array($0.utf8))["attempt"]?.numberValue }
        #expect(attempts.count == 20000 && attempts.allSatisfy { $0 == 1 }, "highest attempt \(attempts.max() ?? 0) of \(attempts.count) rows")
        #expect(try await workers[1].terminate() == 0)
        #expect(try await broker.terminate() == 0)
    }

    /// SIGTERM to a worker whose store is locked with several batches in hand: it cannot finish
    /// them, so after its 20 s drain it leaves anyway (the write in progress gives up within the
    /// store's 10 s busy timeout), exits 0, and once the lock is gone another worker stores
    /// everything, each item once.
    @Test func sigtermWithTheStoreLockedLeavesWithinTheDrainTimeout() async throws {
        let dir = ScratchFolder.make("drain-locked")
        let front = "tcp://127.0.0.1:\(freePort())", back = "tcp://127.0.0.1:\(freePort())"
        let path = dir.appendingPathComponent("karez.sqlite").path, store = "sqlite:\(path)"
        let broker = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path, "--collector", "none"])
        _ = try await broker.waitFor("karez broker: front")
        let worker = try Child(["worker", "--broker", back, "--store", store, "--collector", "none", "--name", "locked"])
        _ = try await worker.waitFor("karez worker: broker")
        #expect(try await storedCount(store, "patient") == 0)  // the file and its tables exist
        let lock = try Child(executable: "/usr/bin/env", arguments: ["python3", "-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], timeout=60, isolation_level=None)
            c.execute("BEGIN EXCLUSIVE"); print("locked", flush=True)
            time.sleep(600)
            """, path])
        _ = try await lock.waitFor("locked", timeout: .seconds(60))
        let items = dir.appendingPathComponent("items.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", "3000", "--seed", "9", "--output", items.path]).0 == 0)
        #expect(try await karez(["publish", "--broker", front, items.path]).0 == 0)
        _ = try await worker.waitFor("retrying until it is back", timeout: .seconds(60))
        let signalled = ContinuousClock.now
        kill(worker.process.processIdentifier, SIGTERM)
        #expect(try await worker.finish(timeout: .seconds(90)) == 0, "\(worker.text.suffix(2000))")
        let took = ContinuousClock.now - signalled
        #expect(took < .seconds(45), "left \(took) after SIGTERM")
        lock.kill9()  // its transaction ends with it: the lock is gone
        let second = try Child(["worker", "--broker", back, "--store", store, "--collector", "none", "--name", "after"])
        #expect(try await eventually(timeout: .seconds(120)) { try await storedCount(store, "patient") == 3000 })
        #expect(try await second.terminate() == 0)
        #expect(try await broker.terminate() == 0)
        print("drain with the store locked: the worker left \(took) after SIGTERM; all 3000 stored once afterwards")
    }
}
