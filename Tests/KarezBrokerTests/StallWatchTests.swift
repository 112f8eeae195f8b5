import Logging
import Synchronization
import Testing
@testable import KarezBroker

@Suite("StallWatch: names the step that held the broker's loop")
struct StallWatchTests {
    /// Keeps the lines logged through it.
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        var all: [String] { lines.withLock { $0 } }
        var logger: Logger {
            Logger(label: "test") { _ in Handler(lines: self) }
        }
        struct Handler: LogHandler {
            let lines: Lines
            var logLevel: Logger.Level = .trace
            var metadata: Logger.Metadata = [:]
            subscript(metadataKey key: String) -> Logger.Metadata.Value? { get { metadata[key] } set { metadata[key] = newValue } }
            func log(event: LogEvent) {
                lines.lines.withLock { $0.append("\(event.level) \(event.message)") }
            }
        }
    }

    /// A clock the test moves by hand: a step "takes" what the test advances inside it.
    final class HandClock {
        var now = ContinuousClock.now
        func advance(_ d: Duration) { now += d }
    }

    /// A step past the threshold is counted under its name and logged at once, with its length;
    /// quick steps are neither counted nor logged.
    @Test func aSlowStepIsCountedAndLoggedByName() {
        let lines = Lines(), clock = HandClock()
        let watch = StallWatch(threshold: .milliseconds(20), log: lines.logger, clock: { clock.now })
        for _ in 0..<100 { watch.time("a quick step") { clock.advance(.microseconds(300)) } }
        #expect(watch.stalls.isEmpty && lines.all.isEmpty)

        let value = watch.time("syncing the journal (fdatasync)") { clock.advance(.milliseconds(35)); return 42 }
        #expect(value == 42)
        #expect(watch.stalls == ["syncing the journal (fdatasync)": 1])
        #expect(lines.all == ["notice the broker's loop was held 35.0 ms by syncing the journal (fdatasync): everything waiting on it waited as long"])
    }

    /// A stall of the outer step is its own time only: a slow sync inside the reading of
    /// producers' messages is the sync's stall, not the reading's as well.
    @Test func nestedStepsCountTheirOwnTimeOnly() {
        let clock = HandClock()
        let watch = StallWatch(threshold: .milliseconds(20), log: Lines().logger, clock: { clock.now })
        watch.time("reading producers' messages") {
            clock.advance(.milliseconds(2))
            watch.time("syncing the journal (fdatasync)") { clock.advance(.milliseconds(40)) }
            clock.advance(.milliseconds(3))
        }
        #expect(watch.stalls == ["syncing the journal (fdatasync)": 1])
        // Both slow on their own: both count.
        watch.time("reading producers' messages") {
            clock.advance(.milliseconds(15))
            watch.time("writing the journal") { clock.advance(.milliseconds(25)) }
            clock.advance(.milliseconds(15))
        }
        #expect(watch.stalls == ["syncing the journal (fdatasync)": 1, "writing the journal": 1, "reading producers' messages": 1])
    }

    /// Stalls between lines are counted and held back: the next line names the longest of them
    /// and how many there were. While stalls go on, lines come ever rarer (a second, then two,
    /// four… up to a minute); after a quiet minute the next comes at once.
    @Test func goingOnStallsMakeEverRarerLines() {
        let lines = Lines(), clock = HandClock()
        let watch = StallWatch(threshold: .milliseconds(20), log: lines.logger, clock: { clock.now })
        func stall(_ step: StaticString, _ ms: Int64) { watch.time(step) { clock.advance(.milliseconds(ms)) } }
        stall("first", 21)
        stall("short", 22)
        stall("long", 90)
        stall("short", 22)
        #expect(lines.all.count == 1, "one line in the first second: \(lines.all)")
        #expect(watch.stalls == ["first": 1, "short": 2, "long": 1])
        clock.advance(.seconds(1))
        watch.report()
        #expect(lines.all.count == 2)
        #expect(lines.all.last?.contains("held 90.0 ms by long") == true && lines.all.last?.contains("and 2 more steps") == true, "\(lines.all)")

        // A stall every half second for a minute: lines 2, 4, 8 and 16 s after the one before.
        var logged: [Int] = []
        for halfSecond in 1...120 {
            clock.advance(.milliseconds(500) - .milliseconds(21))
            stall("sync", 21)
            if lines.all.count > 2 + logged.count { logged.append(halfSecond) }
        }
        #expect(logged == [4, 12, 28, 60], "half-seconds at which a line came: \(logged)")
        // Quiet for two minutes: the next stall is logged at once.
        clock.advance(.seconds(120))
        let before = lines.all.count
        stall("sync", 30)
        #expect(lines.all.count == before + 1)
    }

    /// The real clock: a step that runs past the threshold is counted (preemption only makes
    /// it longer).
    @Test func theRealClockTimesASlowStep() {
        let watch = StallWatch(threshold: .milliseconds(30), log: Lines().logger)
        watch.time("busy") {
            let start = ContinuousClock.now
            while ContinuousClock.now - start < .milliseconds(40) {}
        }
        #expect(watch.stalls == ["busy": 1])
    }
}
