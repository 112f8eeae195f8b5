import KarezProtocol
import Testing
@testable import KarezBroker

/// A core with `ids` accepted (segment 1, no journal) and workers that die after 300 ms of silence.
private func core(_ ids: [String]) -> BrokerCore {
    var s = BrokerSettings()
    s.heartbeatMillis = 100
    let c = BrokerCore(settings: s, now: 1_000)
    for d in c.publish(ids.map { PublishedItem(id: $0, kind: "patient", body: Array("{}".utf8)) }, now: 1_000) {
        if case .accept(let i) = d { c.accepted(i, segment: 1) }
    }
    return c
}

private func hello(_ n: Int) -> Hello { Hello(name: "w\(n)", host: "h", pid: n, incarnation: "i\(n)", concurrency: 1, version: "1") }

/// Registers worker `n` with `credit` at `now` and returns what it is handed.
private func startWorker(_ c: BrokerCore, _ n: Int, credit: Int, now: UInt64) -> [Job] {
    c.hello([UInt8(n)], hello(n), now: now)
    c.credit([UInt8(n)], credit)
    return c.dispatch(now: now).filter { $0.worker == [UInt8(n)] }.flatMap(\.jobs)
}

/// Lets every registered worker but `alive` go silent until the broker drops them.
private func dropSilentWorkers(_ c: BrokerCore, now: UInt64, alive: [Int] = []) {
    for n in alive { c.seen([UInt8(n)], now: now) }
    _ = c.tick(now: now)
}

@Suite("BrokerCore: a worker killed with jobs in hand never dead-letters them; a job that kills workers still ends")
struct WorkerLossTests {
    /// kill -9 of a worker holding several jobs charges none of them: they come back with the
    /// same attempt number; after `isolateAfterLosses` such deaths each goes alone, still at
    /// attempt 1, and none became a dead letter.
    @Test func aBusyWorkersDeathChargesNoAttempt() {
        let c = core(["a", "b", "c"])
        var now: UInt64 = 1_000
        for round in 1...BrokerSettings().isolateAfterLosses {
            let jobs = startWorker(c, round, credit: 3, now: now)
            #expect(jobs.map(\.attempt) == [1, 1, 1], "round \(round)")
            now += 1_000
            dropSilentWorkers(c, now: now)
        }
        #expect(c.takeDeadLetters().isEmpty && c.queuedCount == 3)
        let alone = startWorker(c, 9, credit: 3, now: now)
        #expect(alone.map(\.id) == ["a"] && alone.map(\.attempt) == [1])
    }

    /// After `isolateAfterLosses` such deaths an item goes alone to an idle worker, so a job that
    /// kills whoever runs it ends as a `worker_lost` dead letter after `maxAttempts` deaths of its
    /// own, while the jobs it was held with are done.
    @Test func aJobThatKillsEveryWorkerEndsDeadAndTheOthersAreDone() {
        let c = core(["poison", "x", "y"])
        var now: UInt64 = 1_000, n = 0
        var poisonDeliveries: [Int] = []
        while c.queuedCount > 0, n < 40 {
            n += 1
            let jobs = startWorker(c, n, credit: 3, now: now)
            #expect(!jobs.isEmpty, "worker \(n) got nothing")
            if let poison = jobs.first(where: { $0.id == "poison" }) {
                poisonDeliveries.append(poison.attempt)
                now += 1_000
                dropSilentWorkers(c, now: now)  // it kills its worker
            } else {
                c.done([UInt8(n)], jobs.map(\.delivery), now: now)
                c.remove([UInt8(n)], now: now, as: .replaced)
            }
        }
        let dead = c.takeDeadLetters()
        #expect(dead.map(\.item.id) == ["poison"])
        #expect(dead.first?.reason.errors.first?.code == "worker_lost")
        #expect(dead.first?.attempts == BrokerSettings().maxAttempts)
        #expect(c.stats.done == 2, "x and y are done")
        #expect(poisonDeliveries.suffix(BrokerSettings().maxAttempts) == Array(1...BrokerSettings().maxAttempts),
                "alone, each death counts: \(poisonDeliveries)")
    }

    /// A suspect goes only to a worker with nothing in hand, and that worker gets nothing else
    /// until it answers; then work flows as before.
    @Test func aSuspectIsDeliveredAloneAndBlocksNothingForLong() {
        let c = core(["s", "t", "u"])
        var now: UInt64 = 1_000
        for n in 1...2 {  // two busy workers die holding all three
            #expect(startWorker(c, n, credit: 3, now: now).count == 3)
            now += 1_000
            dropSilentWorkers(c, now: now)
        }
        let busy = startWorker(c, 3, credit: 5, now: now)
        #expect(busy.map(\.id) == ["s"], "alone: \(busy.map(\.id))")
        c.credit([3], 5)
        #expect(c.dispatch(now: now).isEmpty, "nothing more while it holds the suspect")
        c.done([3], busy.map(\.delivery), now: now)
        let next = c.dispatch(now: now).flatMap(\.jobs)
        #expect(next.map(\.id) == ["t"] && next.first?.attempt == 1)
    }

    /// Workers killed while idle: the JOB messages the broker could not send to them never
    /// reached anyone, so the item is not charged (the review's 6 killed idle workers once
    /// dead-lettered a fresh item in 0.4 s).
    @Test func jobsThatCouldNotBeSentAreNotCharged() {
        let c = core(["a"])
        for n in 1...6 {
            c.hello([UInt8(n)], hello(n), now: 1_000)
            c.credit([UInt8(n)], 10)
        }
        for _ in 1...6 {
            let out = c.dispatch(now: 1_000)
            #expect(out.count == 1)
            guard let (worker, jobs, _) = out.first else { break }
            #expect(jobs.map(\.attempt) == [1])
            c.unsent(worker, jobs.map(\.delivery))  // the send failed: the connection is gone
            c.unreachable(worker)
        }
        #expect(c.dispatch(now: 1_000).isEmpty, "no job for a worker whose connection is gone")
        #expect(startWorker(c, 7, credit: 1, now: 1_000).map(\.attempt) == [1])
        #expect(c.takeDeadLetters().isEmpty)
    }

    /// A worker whose connection was reset keeps its jobs: it gets nothing while unreachable,
    /// and when it is heard from again (its re-made connection, same process) its DONE counts.
    @Test func aResetConnectionKeepsItsJobs() {
        let c = core(["a"])
        let jobs = startWorker(c, 1, credit: 1, now: 1_000)
        c.unreachable([1])
        #expect(c.dispatch(now: 1_100).isEmpty)
        c.hello([101], hello(1), now: 1_200)      // the same process on its re-made connection
        c.done([101], jobs.map(\.delivery), now: 1_300)
        #expect(c.stats.done == 1 && c.takeDeadLetters().isEmpty)
    }

    /// A lease that runs out while the worker's connection is gone is that worker's death: with
    /// several jobs in hand, none is charged.
    @Test func aLeaseOutWhileTheConnectionIsGoneIsADeath() {
        var s = BrokerSettings()
        s.leaseMillis = 500
        let c = BrokerCore(settings: s, now: 1_000)
        for d in c.publish(["a", "b"].map { PublishedItem(id: $0, kind: "patient", body: Array("{}".utf8)) }, now: 1_000) {
            if case .accept(let i) = d { c.accepted(i, segment: 1) }
        }
        #expect(startWorker(c, 1, credit: 2, now: 1_000).count == 2)
        c.unreachable([1])
        _ = c.tick(now: 1_600)
        #expect(!c.knows([1]))
        #expect(startWorker(c, 2, credit: 2, now: 1_600).map(\.attempt) == [1, 1])
    }
}
