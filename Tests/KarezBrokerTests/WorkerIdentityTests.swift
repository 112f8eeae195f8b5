import KarezProtocol
import Testing
@testable import KarezBroker

/// A core with `ids` accepted (segment 1, no journal): the state machine alone.
private func core(_ ids: [String] = [], _ configure: (inout BrokerSettings) -> Void = { _ in }) -> BrokerCore {
    var s = BrokerSettings()
    configure(&s)
    let c = BrokerCore(settings: s, now: 1_000)
    let items = ids.map { PublishedItem(id: $0, kind: "patient", body: Array("{}".utf8)) }
    for d in c.publish(items, now: 1_000) {
        if case .accept(let i) = d { c.accepted(i, segment: 1) }
    }
    return c
}

private let w1: [UInt8] = [1], w2: [UInt8] = [2]
private func hello(incarnation: String) -> Hello {
    Hello(name: "w", host: "h", pid: 1, incarnation: incarnation, concurrency: 1, version: "1")
}

@Suite("BrokerCore: worker identity (name, host, principal) and the credit limit")
struct WorkerIdentityTests {
    @Test func anotherPrincipalCannotTakeALiveWorkersName() {
        let c = core(["a", "b"])
        #expect(c.hello(w1, hello(incarnation: "i1"), principal: "key-A", now: 1_000) == nil)
        c.credit(w1, 2)
        let jobs = c.dispatch(now: 1_000).flatMap(\.jobs)
        #expect(jobs.count == 2)
        let refusal = c.hello(w2, hello(incarnation: "i2"), principal: "key-B", now: 1_100)
        #expect(refusal?.errors.first?.code == "name_in_use")
        #expect(!c.knows(w2))
        #expect(c.knows(w1))
        #expect(c.inFlightCount == 2)
        #expect(c.workerList.map(\.inFlight) == [2])
        // The jobs are still w1's: its DONE finishes them.
        c.done(w1, jobs.map(\.delivery), now: 1_200)
        #expect(c.queuedCount == 0)
    }

    @Test func theSamePrincipalRestartedReplacesItWithoutCountingTheAttempt() {
        let c = core(["a", "b"])
        c.hello(w1, hello(incarnation: "i1"), principal: "key-A", now: 1_000)
        c.credit(w1, 2)
        let first = c.dispatch(now: 1_000).flatMap(\.jobs)
        #expect(first.map(\.attempt) == [1, 1])
        #expect(c.hello(w2, hello(incarnation: "i2"), principal: "key-A", now: 1_100) == nil)
        #expect(!c.knows(w1) && c.knows(w2))
        #expect(c.inFlightCount == 0)
        #expect(c.readyCount == 2)                 // back in the queue at once, no backoff
        c.credit(w2, 2)
        let again = c.dispatch(now: 1_100).flatMap(\.jobs)
        #expect(Set(again.map(\.id)) == ["a", "b"])
        #expect(again.map(\.attempt) == [1, 1])    // the attempt is not counted
        #expect(c.stats.dead == 0)
        c.done(w1, first.map(\.delivery), now: 1_150)   // the old registration's DONE counts for nothing
        #expect(c.queuedCount == 2)
        c.done(w2, again.map(\.delivery), now: 1_200)
        #expect(c.queuedCount == 0)
    }

    @Test func withoutAPrincipalTheIncarnationIsThePrincipal() {
        let c = core(["a"]) { $0.heartbeatMillis = 100; $0.heartbeatLiveness = 3 }
        c.hello(w1, hello(incarnation: "i1"), now: 1_000)
        c.credit(w1, 1)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).map(\.attempt) == [1])
        // Another process under the same name while the first is live: refused.
        #expect(c.hello(w2, hello(incarnation: "i2"), now: 1_100)?.errors.first?.code == "name_in_use")
        #expect(c.knows(w1) && !c.knows(w2))
        #expect(c.inFlightCount == 1)
        // Silent for heartbeat × liveness (300 ms): dropped, and the name is free again.
        #expect(c.tick(now: 1_300) == [])
        #expect(c.tick(now: 1_301) == [w1])
        #expect(c.hello(w2, hello(incarnation: "i2"), now: 1_302) == nil)
        #expect(c.knows(w2))
        c.credit(w2, 1)
        // Lost with its worker: that attempt counts.
        #expect(c.dispatch(now: 1_302).flatMap(\.jobs).map(\.attempt) == [2])
    }

    @Test func creditAndJobsInFlightStayWithinMaxCredit() {
        let c = core(["a", "b", "c"]) { $0.maxCredit = 10 }
        c.hello(w1, hello(incarnation: "i1"), now: 1_000)
        #expect(c.credit(w1, 8))
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).count == 3)
        #expect(!c.credit(w1, 5))
        let w = c.workerList[0]
        #expect(w.credit + w.inFlight == 10)
        #expect(w.inFlight == 3)
        #expect(!c.credit(w1, 1))
        #expect(c.workerList[0].credit + c.workerList[0].inFlight == 10)
    }

    @Test func creditWithNothingInFlightIsCappedAtMaxCredit() {
        let c = core { $0.maxCredit = 10 }
        c.hello(w1, hello(incarnation: "i1"), now: 1_000)
        #expect(c.credit(w1, 8))
        #expect(!c.credit(w1, 5))
        #expect(c.workerList[0].credit + c.workerList[0].inFlight == 10)
        #expect(c.credit(w2, 5), "an unknown worker's credit is ignored, not refused")
    }
}
