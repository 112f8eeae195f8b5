import Foundation
import KarezTestSupport
import KarezDomain
import KarezStore
import Testing

@Suite("Faults: kill -9 workers and the broker while items flow", .serialized)
struct FaultTests {
    /// Items published while workers are killed every 1.5 s and the broker twice: afterwards
    /// every acknowledged item is stored exactly once and the domain totals are exact.
    @Test func killsLoseNothingAndStoreNothingTwice() async throws {
        let count = Int(ProcessInfo.processInfo.environment["KAREZ_FAULT_ITEMS"] ?? "") ?? 100_000
        let dir = ScratchFolder.make("faults")
        let (fport, bport) = (freePort(), freePort())
        let front = "tcp://127.0.0.1:\(fport)", back = "tcp://127.0.0.1:\(bport)"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let items = dir.appendingPathComponent("items.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", String(count), "--seed", "42", "--output", items.path]).0 == 0)

        func startBroker() async throws -> Child {
            let b = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path,
                               "--lease-ms", "5000"])
            _ = try await b.waitFor("karez broker: front")
            return b
        }
        func startWorker() throws -> Child { try Child(["worker", "--broker", back, "--store", store, "--credit", "256"]) }

        var broker = try await startBroker()
        var workers = [try startWorker(), try startWorker()]
        // A modest window keeps publishing going while the broker is killed.
        let publisher = try Child(["publish", "--broker", front, "--timeout", "60", "--window", "2000", items.path])
        var workerKills = 0, brokerKills = 0
        let start = ContinuousClock.now
        var nextBrokerKill = [Duration.seconds(1), .seconds(4)]
        while true {
            if !publisher.isRunning, try await storedCount(store, "patient") >= count { break }
            guard ContinuousClock.now - start < .seconds(400) else { break }
            try await Task.sleep(for: .milliseconds(1000))
            let i = workerKills % workers.count
            workers[i].kill9()
            workers[i] = try startWorker()
            workerKills += 1
            if let due = nextBrokerKill.first, ContinuousClock.now - start >= due {
                if !publisher.isRunning { print("faults: note: publishing had finished before broker kill \(brokerKills + 1)") }
                nextBrokerKill.removeFirst()
                broker.kill9()
                brokerKills += 1
                broker = try await startBroker()
            }
            if workerKills > 12 && nextBrokerKill.isEmpty && !publisher.isRunning { break }
        }
        #expect(brokerKills == 2)
        #expect(workerKills >= 4)
        let publishStatus = try await publisher.finish(timeout: .seconds(200))
        #expect(publishStatus == 0, "\(publisher.text)")
        let stored = try await waitStored(store, "patient", count, timeout: .seconds(300))
        let s = try await openStore(store)
        let final = try await s.count(kind: "patient", rejected: false)
        #expect(stored == count)
        #expect(final == count, "stored \(final) of \(count)")
        #expect(try await s.count(kind: "patient", rejected: true) == 0)
        let visits = try await s.totals().filter { $0.name == "patient_visits" }.map(\.value).reduce(0, +)
        #expect(visits == Double(count), "domain totals count \(visits) visits for \(count) items")
        var redelivered = 0
        var after: String?
        while true {
            let page = try await s.records(kind: "patient", rejected: false, after: after, limit: 5000)
            guard let last = page.last else { break }
            redelivered += page.filter { $0.attempt > 1 }.count
            after = last.id
        }
        await s.close()
        let summary = publisher.text.split(separator: "\n").first { $0.hasPrefix("published") } ?? ""
        print("faults: \(count) items, \(workerKills) worker kills, \(brokerKills) broker kills; stored \(final) exactly once; "
              + "\(redelivered) stored on a redelivery; publisher: \(summary)")
        for w in workers { w.kill9() }
        #expect(try await broker.terminate() == 0)
    }

    /// `karez publish --wait` while the broker is killed -9 eight times and workers sixty
    /// times: it exits 0 (every item finished, a FIN for each, resent with PUBW after each
    /// restart), the store holds every item exactly once, and the collector's accepted and done
    /// equal the items published although every killed broker lost its last snapshot.
    @Test func publishWaitFinishesThroughBrokerAndWorkerKillsAndTheTotalsStayExact() async throws {
        let count = Int(ProcessInfo.processInfo.environment["KAREZ_WAIT_FAULT_ITEMS"] ?? "") ?? 50_000
        let dir = ScratchFolder.make("faults-wait")
        let (fport, bport, iport, hport) = (freePort(), freePort(), freePort(), freePort())
        let front = "tcp://127.0.0.1:\(fport)", back = "tcp://127.0.0.1:\(bport)", intake = "tcp://127.0.0.1:\(iport)"
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let base = "http://127.0.0.1:\(hport)/"
        let items = dir.appendingPathComponent("items.jsonl")
        let leads = dir.appendingPathComponent("leads.jsonl")
        #expect(try await karez(["gen", "--kind", "patient", "--count", String(count * 4 / 5), "--seed", "7", "--output", items.path]).0 == 0)
        #expect(try await karez(["gen", "--kind", "lead", "--count", String(count - count * 4 / 5), "--seed", "8", "--output", leads.path]).0 == 0)
        let collector = try Child(["collector", "--intake", intake, "--http-host", "127.0.0.1", "--http-port", String(hport),
                                   "--data", dir.appendingPathComponent("collector").path])
        _ = try await collector.waitFor("karez collector: intake")
        func startBroker() async throws -> Child {
            let b = try Child(["broker", "--front", front, "--back", back, "--data", dir.appendingPathComponent("broker").path,
                               "--lease-ms", "5000", "--collector", intake])
            _ = try await b.waitFor("karez broker: front")
            return b
        }
        func startWorker(_ i: Int) throws -> Child {
            try Child(["worker", "--broker", back, "--store", store, "--credit", "256", "--collector", intake, "--name", "wait-worker-\(i)"])
        }
        var broker = try await startBroker()
        var workers = (0..<3).map { try! startWorker($0) }
        let publisher = try Child(["publish", "--broker", front, "--wait", "--timeout", "60", "--window", "2000", items.path, leads.path])
        var workerKills = 0, brokerKills = 0, brokerKillsWhilePublishing = 0
        while workerKills < 60 || brokerKills < 8 {
            try await Task.sleep(for: .milliseconds(150))
            let i = workerKills % workers.count
            workers[i].kill9()
            workers[i] = try startWorker(i)
            workerKills += 1
            if workerKills % 5 == 0 && brokerKills < 8 {
                if publisher.isRunning { brokerKillsWhilePublishing += 1 }
                broker.kill9()
                brokerKills += 1
                broker = try await startBroker()
            }
        }
        // The kills hit the flow, not an idle system.
        #expect(brokerKillsWhilePublishing >= 6, "only \(brokerKillsWhilePublishing) broker kills while publishing")
        let publishStatus = try await publisher.finish(timeout: .seconds(400))
        let line = publisher.text.split(separator: "\n").first { $0.hasPrefix("published") } ?? ""
        #expect(publishStatus == 0, "\(publisher.text)")
        let s = try await openStore(store)
        let stored = try await s.count(kind: "patient", rejected: false) + s.count(kind: "lead", rejected: false)
        await s.close()
        #expect(stored == count, "stored \(stored) of \(count)")
        let final = try await waitSummary(base, timeout: .seconds(60)) {
            $0["totals"]?["accepted"]?.numberValue == Double(count) && $0["totals"]?["done"]?.numberValue == Double(count)
        }
        #expect(final["totals"]?["dead_lettered"]?.numberValue == 0)
        print("faults (--wait): \(count) items, \(workerKills) worker kills, \(brokerKills) broker kills (\(brokerKillsWhilePublishing) while publishing); stored \(stored) exactly once; "
              + "collector accepted \(final["totals"]?["accepted"]?.numberValue ?? -1), done \(final["totals"]?["done"]?.numberValue ?? -1); publisher: \(line)")
        for w in workers { w.kill9() }
        #expect(try await broker.terminate() == 0)
        _ = try await collector.terminate()
    }
}
