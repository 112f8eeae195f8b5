import Testing
@testable import KarezWorker

/// The worker's credit bookkeeping: what it holds, and when freed credit is asked for again.
@Suite struct HeldJobsTests {
    @Test func freedCreditIsAskedForOnceItIsAQuarterOfTheLimit() {
        var held = HeldJobs(limit: 1000)
        #expect(held.welcomed(by: "b1") == 1000)
        held.received(0..<600)
        // 249 answered one by one: no CREDIT yet; the 250th asks for all 250.
        for tag in UInt64(0)..<249 { #expect(held.creditToReturn(answering: [tag]) == 0) }
        #expect(held.unreturned == 249)
        #expect(held.creditToReturn(answering: [249]) == 250)
        #expect(held.unreturned == 0)
        // A batch past the threshold asks for itself at once; answers for tags not held free nothing.
        #expect(held.creditToReturn(answering: Array(UInt64(250)..<550)) == 300)
        #expect(held.creditToReturn(answering: [250, 9_999]) == 0)
        #expect(held.unreturned == 0)
    }

    @Test func theBrokerNeverRunsShortAndNothingIsLost() {
        // Credit the broker has + jobs held + credit held back is always the limit, and what is
        // held back is under the threshold: the broker always has most of it.
        for limit in [1, 2, 3, 7, 8, 10, 64, 1000] {
            var held = HeldJobs(limit: limit)
            var brokerCredit = held.welcomed(by: "b")
            var next: UInt64 = 0
            var g = SystemRandomNumberGenerator()
            for _ in 0..<2000 {
                if brokerCredit > 0, Bool.random(using: &g) {
                    let n = Int.random(in: 1...brokerCredit, using: &g)
                    held.received(next..<next + UInt64(n))
                    next += UInt64(n)
                    brokerCredit -= n
                } else if let tag = held.deliveries.randomElement(using: &g) {
                    brokerCredit += held.creditToReturn(answering: [tag])
                }
                #expect(brokerCredit + held.deliveries.count + held.unreturned == limit)
                #expect(held.unreturned < held.returnThreshold)
            }
        }
        // Below 8 every answer asks again at once.
        #expect(HeldJobs(limit: 7).returnThreshold == 1)
    }

    @Test func aWelcomeAsksForAllTheRoomAndForgetsWhatWasHeldBack() {
        var held = HeldJobs(limit: 100)
        _ = held.welcomed(by: "b1")
        held.received(0..<50)
        #expect(held.creditToReturn(answering: [0, 1, 2]) == 0)
        #expect(held.unreturned == 3)
        // The same broker again (a re-HELLO): it keeps the 47 jobs held and starts at no credit.
        #expect(held.welcomed(by: "b1") == 53)
        #expect(held.unreturned == 0)
        // A restarted broker: the jobs of the old session are void.
        #expect(held.welcomed(by: "b2") == 100)
    }

    @Test func aWorkerHoldingNothingAsksForAllItFreed() {
        // One job ran past its lease: the broker set the worker's credit to 0 (PROTOCOL.md 4.3).
        // Its late DONE frees 1, under the threshold of 250, but it holds nothing else: it asks.
        var held = HeldJobs(limit: 1000)
        _ = held.welcomed(by: "b")
        held.received([7, 8])
        #expect(held.creditToReturn(answering: [7]) == 0)
        #expect(held.creditToReturn(answering: [8]) == 2)
        #expect(held.unreturned == 0)
    }

    @Test func aBrokerWithLessMaxCreditSetsTheSessionsLimit() {
        var held = HeldJobs(limit: 1000)
        #expect(held.welcomed(by: "b", maxCredit: 200) == 200)
        #expect(held.returnThreshold == 50)
        held.received(0..<200)
        for tag in UInt64(0)..<49 { #expect(held.creditToReturn(answering: [tag]) == 0) }
        #expect(held.creditToReturn(answering: [49]) == 50)
        // A broker that does not say keeps the worker's own limit.
        #expect(held.welcomed(by: "c") == 1000)
        #expect(held.returnThreshold == 250)
    }
}
