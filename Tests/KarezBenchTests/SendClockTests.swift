import Testing
@testable import KarezBench

/// When the open-loop producer sends what fell due: every item at its time up to 4,000 items/s;
/// above, one PUBW per answer of the broker, no item held more than 2 ms for it.
@Suite("Open-loop producer: sends clocked by the broker's answers above 4,000 items/s")
struct SendClockTests {
    let start = ContinuousClock.now

    @Test func upTo4000ItemsPerSecondNothingIsHeld() {
        for rate in [nil, 500.0, 4000.0] {
            let clock = SendClock(rate: rate)
            #expect(!clock.batched)
            #expect(!clock.holds(lastAnswered: false, now: start, oldestDue: start), "rate \(String(describing: rate))")
            // It sleeps until the next item is due, to the microsecond, and not past it.
            #expect(clock.sleep(holding: false, now: start, nextDue: start + .microseconds(30)) == .microseconds(30))
            #expect(clock.sleep(holding: false, now: start, nextDue: start - .microseconds(30)) == .zero)
        }
    }

    @Test func aboveItWhatFallsDueWaitsForTheAnswerToTheLastPUBW() {
        let clock = SendClock(rate: 82_000)
        #expect(clock.batched)
        #expect(clock.holds(lastAnswered: false, now: start + .microseconds(100), oldestDue: start))
        #expect(!clock.holds(lastAnswered: true, now: start + .microseconds(100), oldestDue: start), "answered: sent at once")
        // Holding, it sleeps until the oldest item due has waited 2 ms (a reply wakes it sooner).
        #expect(clock.sleep(holding: true, now: start + .microseconds(500), nextDue: start) == .microseconds(1500))
    }

    @Test func noItemIsHeldLongerThanTwoMilliseconds() {
        let clock = SendClock(rate: 82_000)
        #expect(clock.holds(lastAnswered: false, now: start + .microseconds(1999), oldestDue: start))
        #expect(!clock.holds(lastAnswered: false, now: start + .milliseconds(2), oldestDue: start))
        #expect(!clock.holds(lastAnswered: false, now: start + .seconds(1), oldestDue: start))
    }

    @Test func answeredBatchedSendsAreAtLeast250MicrosecondsApartAndSleepsAtMost5Milliseconds() {
        let clock = SendClock(rate: 82_000)
        #expect(clock.sleep(holding: false, now: start, nextDue: start + .microseconds(12)) == .microseconds(250))
        #expect(clock.sleep(holding: false, now: start, nextDue: start + .seconds(1)) == .milliseconds(5))
        #expect(clock.sleep(holding: true, now: start, nextDue: start + .seconds(1)) == .milliseconds(5))
    }
}
