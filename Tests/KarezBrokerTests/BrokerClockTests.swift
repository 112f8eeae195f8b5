import Synchronization
import Testing
@testable import KarezBroker

@Suite("BrokerClock: wall time at the start, monotonic after it")
struct BrokerClockTests {
    /// A step of the system clock (an hour back, then a day forward) moves nothing: the broker's
    /// time advances exactly as the monotonic clock does, so no lease or heartbeat lapses early.
    @Test func aStepOfTheSystemClockMovesNoLease() {
        let wall = Mutex<UInt64>(1_700_000_000_000), monotonic = Mutex<UInt64>(5_000)
        let clock = BrokerClock(wall: { wall.withLock { $0 } }, monotonic: { monotonic.withLock { $0 } })
        #expect(clock.now() == 1_700_000_000_000)
        wall.withLock { $0 -= 3_600_000 }
        monotonic.withLock { $0 += 250 }
        #expect(clock.now() == 1_700_000_000_250)
        wall.withLock { $0 += 86_400_000 }
        monotonic.withLock { $0 += 30_000 }
        #expect(clock.now() == 1_700_000_030_250)
    }

    /// The real clocks: it starts at the wall time and never goes back.
    @Test func itStartsAtTheWallTimeAndNeverGoesBack() {
        let before = BrokerClock.wallMillis()
        let clock = BrokerClock()
        var last = clock.now()
        #expect(last >= before && last <= BrokerClock.wallMillis())
        for _ in 0..<10_000 {
            let t = clock.now()
            #expect(t >= last)
            last = t
        }
    }
}
