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

    /// Runs for at least `d` on the CPU's clock (a slow step, not a sleep).
    static func busy(_ d: Duration) {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < d {}
    }

    /// A step past the threshold is counted under its name and logged once, with its length;
    /// quick steps cost nothing and say nothing.
    @Test func aSlowStepIsCountedAndLoggedByName() {
        let lines = Lines()
        let watch = StallWatch(threshold: .milliseconds(5), log: lines.logger)
        for _ in 0..<100 { watch.time("a quick step") {} }
        #expect(watch.stalls.isEmpty && lines.all.isEmpty)

        let value = watch.time("syncing the journal (fdatasync)") { Self.busy(.milliseconds(8)); return 42 }
        #expect(value == 42)
        #expect(watch.stalls == ["syncing the journal (fdatasync)": 1])
        let line = lines.all.first ?? ""
        #expect(lines.all.count == 1 && line.hasPrefix("notice the broker's loop was held ")
                && line.contains(" ms by syncing the journal (fdatasync)"), "\(lines.all)")
    }

    /// Within a second of a line, further stalls are counted and held back: the next line names
    /// the longest of them and how many there were, so a stalling loop cannot flood its log.
    @Test func stallsWithinASecondMakeOneLineForTheLongest() {
        let lines = Lines()
        let watch = StallWatch(threshold: .milliseconds(2), log: lines.logger)
        watch.time("first") { Self.busy(.milliseconds(3)) }
        watch.time("short") { Self.busy(.milliseconds(3)) }
        watch.time("long") { Self.busy(.milliseconds(9)) }
        watch.time("short") { Self.busy(.milliseconds(3)) }
        #expect(lines.all.count == 1, "one line in the first second: \(lines.all)")
        #expect(watch.stalls == ["first": 1, "short": 2, "long": 1])
        watch.report(now: .now + .seconds(2))
        #expect(lines.all.count == 2)
        #expect(lines.all.last?.contains("by long") == true && lines.all.last?.contains("and 2 more steps") == true, "\(lines.all)")
    }

    /// Steps nest (the journal's sync runs inside the reading of producers' messages): both
    /// are timed, each under its own name.
    @Test func nestedStepsAreEachTimed() {
        let watch = StallWatch(threshold: .milliseconds(3), log: Lines().logger)
        watch.time("outer") {
            Self.busy(.milliseconds(1))
            watch.time("inner") { Self.busy(.milliseconds(4)) }
        }
        #expect(watch.stalls == ["outer": 1, "inner": 1])
    }
}
