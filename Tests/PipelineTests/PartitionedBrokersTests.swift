import Foundation
import KarezDomain
import KarezProtocol
import KarezTestSupport
import Testing

/// Two brokers as a partitioned set (PROTOCOL.md 8.1), real processes over TCP: producers route
/// each item by its kind and id, one worker process takes work from both, the collector adds
/// them up.
@Suite("Partitioned brokers: two brokers, one worker process, one collector", .serialized)
struct PartitionedBrokersTests {
    /// The reference set goes through two brokers; the second is killed -9 between two `publish
    /// --wait` runs (the second waits for every broker to answer), then killed again in the middle
    /// of a third run of 20,000 leads: nothing lost, no duplicate, each broker did exactly the
    /// items that hash to it, and the report is exact.
    @Test func aKilledBrokerOfTwoLosesNothingAndEachDoesItsShare() async throws {
        let dir = ScratchFolder.make("partitioned")
        let fronts = [freePort(), freePort()].map { "tcp://127.0.0.1:\($0)" }
        let backs = [freePort(), freePort()].map { "tcp://127.0.0.1:\($0)" }
        let intake = "tcp://127.0.0.1:\(freePort())", hport = freePort()
        let base = "http://127.0.0.1:\(hport)/"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let collector = try Child(["collector", "--intake", intake, "--http-host", "127.0.0.1", "--http-port", String(hport),
                                   "--data", dir.appendingPathComponent("collector").path, "--store", store])
        _ = try await collector.waitFor("karez collector: intake")
        func startBroker(_ i: Int) async throws -> Child {
            let b = try Child(["broker", "--front", fronts[i], "--back", backs[i], "--data", dir.appendingPathComponent("broker-\(i)").path,
                               "--name", "part-\(i)", "--lease-ms", "3000", "--collector", intake])
            _ = try await b.waitFor("karez broker: front")
            return b
        }
        var brokers = [try await startBroker(0), try await startBroker(1)]
        let worker = try Child(["worker", "--broker", backs.joined(separator: ","), "--store", store, "--credit", "50",
                                "--collector", intake, "--name", "both", "--dev-key"])
        let reference = dir.appendingPathComponent("reference.jsonl")
        #expect(try await karez(["gen", "--reference", "--output", reference.path]).0 == 0)
        let lines = try String(contentsOf: reference, encoding: .utf8).split(separator: "\n")
        let half = lines.count / 2
        let first = dir.appendingPathComponent("first.jsonl"), second = dir.appendingPathComponent("second.jsonl")
        try (lines[..<half].joined(separator: "\n") + "\n").write(to: first, atomically: true, encoding: .utf8)
        try (lines[half...].joined(separator: "\n") + "\n").write(to: second, atomically: true, encoding: .utf8)

        let list = fronts.joined(separator: ",")
        let (s1, out1) = try await karez(["publish", "--broker", list, "--wait", first.path])
        #expect((s1 == 0 || s1 == 1) && out1.contains("unfinished 0"), "1: some reference items are invalid (dead-lettered): \(out1)")
        // Broker 2 dies; the second half waits for it to come back.
        brokers[1].kill9()
        let publishing = try Child(["publish", "--broker", list, "--wait", "--timeout", "60", second.path])
        try await Task.sleep(for: .seconds(1))
        brokers[1] = try await startBroker(1)
        let status = try await publishing.finish()
        #expect((status == 0 || status == 1) && publishing.text.contains("unfinished 0"), "\(publishing.text)")
        var expected = try share(lines)
        _ = try await brokersDone(base, expected)
        let (_, reportJSON) = try await karez(["report", "--collector", base, "--format", "json"])
        #expect(referenceReportProblems(try JSONParser.parse(Array(reportJSON.utf8))) == [], "\(reportJSON)")

        // Broker 2 dies again while 20,000 leads are being published: those routed to it are sent
        // again until it is back.
        let leads = dir.appendingPathComponent("leads.jsonl")
        #expect(try await karez(["gen", "--kind", "lead", "--count", "20000", "--output", leads.path]).0 == 0)
        let accepted = try await summary(base)["totals"]?["accepted"]?.numberValue ?? 0
        let third = try Child(["publish", "--broker", list, "--wait", "--window", "50", "--timeout", "60", leads.path])
        // Mid-run: once the collector has seen a thousand of them accepted.
        _ = try await waitSummary(base) { ($0["totals"]?["accepted"]?.numberValue ?? 0) >= accepted + 1000 }
        brokers[1].kill9()
        try await Task.sleep(for: .seconds(1))
        brokers[1] = try await startBroker(1)
        #expect(try await third.finish() == 0, "\(third.text)")
        // An item whose ACK died with the broker is answered DUP when sent again: acknowledged too.
        let count = { (what: String) in Int(third.text.components(separatedBy: "\(what) ").dropFirst().first?.prefix { $0.isNumber } ?? "") ?? -1 }
        #expect(count("acknowledged") + count("duplicates") == 20000, "\(third.text)")
        #expect(third.text.contains("done 20000") && third.text.contains("unfinished 0"), "\(third.text)")
        let resent = count("resent")
        #expect(resent > 0, "broker 2 was killed while the run was in progress: \(third.text)")
        let generated = try String(contentsOf: leads, encoding: .utf8).split(separator: "\n")
        let more = try share(generated)
        expected = (counts: zip(expected.counts, more.counts).map { $0 + $1 }, kinds: expected.kinds.merging(more.kinds, uniquingKeysWith: +))
        _ = try await brokersDone(base, expected)
        for (kind, n) in expected.kinds {
            let (_, count) = try await karez(["query", "--store", store, "--kind", kind, "--count"])
            #expect(Int(count.trimmingCharacters(in: .whitespacesAndNewlines)) == n, "\(kind): stored \(count), published \(n) valid")
        }
        #expect(try await worker.terminate() == 0)
        for b in brokers { #expect(try await b.terminate() == 0) }
        #expect(try await collector.terminate() == 0)
        print("partitioned: brokers 2, items \(lines.count + generated.count), done part-0 \(expected.counts[0]) part-1 \(expected.counts[1]), broker 2 killed -9 twice (once mid-run, \(resent) resent), lost 0, duplicates 0, report exact")
    }

    /// Valid items (ids not starting `bad-`) per broker, by the documented hash, and per kind.
    private func share(_ lines: [Substring]) throws -> (counts: [Int], kinds: [String: Int]) {
        var counts = [0, 0], kinds: [String: Int] = [:]
        for line in lines {
            let json = try JSONParser.parse(Array(line.utf8))
            guard let id = json["id"]?.stringValue, let kind = json["kind"]?.stringValue, !id.hasPrefix("bad-") else { continue }
            counts[BrokerPartition.index(kind: kind, id: id, brokers: 2)] += 1
            kinds[kind, default: 0] += 1
        }
        return (counts, kinds)
    }

    /// Waits until the collector shows each live broker's done count as expected (and their sum as
    /// the total): each broker did exactly the items that hash to it, and the collector adds them up.
    private func brokersDone(_ base: String, _ expected: (counts: [Int], kinds: [String: Int])) async throws -> JSONValue {
        try await waitSummary(base, timeout: .seconds(120)) { summary in
            let live = (summary["processes"]?.arrayValue ?? []).filter { $0["role"]?.stringValue == "broker" && $0["live"] == .bool(true) }
            let done = (0..<2).map { i in live.first { $0["name"]?.stringValue == "part-\(i)" }?["done"]?.numberValue }
            return done == expected.counts.map { Double($0) } && summary["totals"]?["done"]?.numberValue == Double(expected.counts.reduce(0, +))
        }
    }

    /// A producer given a list with a broker that does not answer names that broker and publishes nothing.
    @Test func aSilentBrokerInTheListIsNamed() async throws {
        let dir = ScratchFolder.make("partitioned-silent")
        let front = "tcp://127.0.0.1:\(freePort())"
        let up = try Child(["up", "--data", dir.path, "--front", front, "--back", "tcp://127.0.0.1:\(freePort())", "--no-collector",
                            "--collector", "none", "--http-port", "0", "--worker-count", "0"])
        _ = try await up.waitFor("Ctrl-C to stop")
        let silent = "tcp://127.0.0.1:\(freePort())"
        let file = dir.appendingPathComponent("one.jsonl")
        try #"{"kind":"lead","id":"l-1"}"#.write(to: file, atomically: true, encoding: .utf8)
        let (status, out) = try await karez(["publish", "--broker", "\(front),\(silent)", "--timeout", "1", file.path])
        #expect(status == 2)
        #expect(out.contains(silent) && !out.contains("\(front),") && out.contains("nothing was published"), "\(out)")
        let (bad, badOut) = try await karez(["publish", "--broker", "\(front),,\(silent)", file.path])
        #expect(bad == 64 && badOut.contains("endpoint 2"), "\(badOut)")
        let (worker, workerOut) = try await karez(["worker", "--broker", "\(front),\ttcp//x:1", "--dev-key", "--store", "sqlite:\(dir.path)/w.sqlite"])
        #expect(worker == 64 && workerOut.contains("endpoint 2") && workerOut.contains("not a ZeroMQ endpoint"), "\(workerOut)")
        #expect(try await up.terminate() == 0)
    }
}
