import Foundation
import KarezBench
import Testing

/// The figures `karez bench` reports per process, and the machine's price of a wake-up.
@Suite("Process figures and the wake-up yardstick")
struct ProcessStatsTests {
    /// A thread that sleeps gives up its core each time: a wait (voluntary switch), read from
    /// its own /proc status file, so other threads of the test process cannot disturb it.
    @Test func aSleepingThreadCountsItsWaits() throws {
        let counts = LockedCounts()
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            let before = ProcessStats.threadSwitches(statusFile: "/proc/thread-self/status")
            for _ in 0..<20 { usleep(100) }  // a sleep always blocks
            counts.set(before, ProcessStats.threadSwitches(statusFile: "/proc/thread-self/status"))
            finished.signal()
        }
        thread.start()
        finished.wait()
        let (before, after) = try #require(counts.value)
        #expect(after.voluntary >= before.voluntary + 20, "\(before) → \(after)")
        #expect(after.preempted >= before.preempted)

        // The process's figures: every thread's switches, the waits among them; without
        // `threads` none are read.
        let process = try #require(ProcessStats.read(pid: getpid()))
        #expect(process.contextSwitches >= process.voluntarySwitches && process.voluntarySwitches > 0)
        #expect(process.cpuSeconds > 0 && process.peakBytes > 0)
        #expect(try #require(ProcessStats.read(pid: getpid(), threads: false)).contextSwitches == 0)
        #expect(ProcessStats.current.contextSwitches >= ProcessStats.current.voluntarySwitches)
    }

    /// Readings of one process combine: the later minus the earlier is what the load spent; two
    /// readings merge into the larger figures; roles add up.
    @Test func readingsSubtractMergeAndAdd() {
        let early = ProcessStats(cpuSeconds: 1, peakBytes: 10, contextSwitches: 100, voluntarySwitches: 80)
        let late = ProcessStats(cpuSeconds: 3.5, peakBytes: 30, contextSwitches: 160, voluntarySwitches: 120)
        #expect(late.since(early) == ProcessStats(cpuSeconds: 2.5, peakBytes: 30, contextSwitches: 60, voluntarySwitches: 40))
        #expect(early.since(late) == ProcessStats(cpuSeconds: 0, peakBytes: 10, contextSwitches: 0, voluntarySwitches: 0))
        let fewerThreads = ProcessStats(cpuSeconds: 3.6, peakBytes: 0, contextSwitches: 0, voluntarySwitches: 0)
        #expect(late.merged(fewerThreads) == ProcessStats(cpuSeconds: 3.6, peakBytes: 30, contextSwitches: 160, voluntarySwitches: 120))
        #expect((early + late) == ProcessStats(cpuSeconds: 4.5, peakBytes: 30, contextSwitches: 260, voluntarySwitches: 200))
    }

    /// Two threads waking each other in C: every wake-up costs some CPU, a round trip some time,
    /// and the counts come from real waits (this process switched at least once per wake-up).
    @Test func theWakeupYardstickMeasuresRealWakeups() throws {
        let before = ProcessStats.selfUsage.switches
        let y = try WakeupYardstick.run(seconds: 0.05)
        #expect(y.cpuMicrosPerWakeup > 0 && y.cpuMicrosPerWakeup < 10_000, "\(y.cpuMicrosPerWakeup) µs per wake-up")
        #expect(y.roundTripMicros > 0 && y.roundTripMicros < 50_000, "\(y.roundTripMicros) µs per round trip")
        let rounds = 50_000 / y.roundTripMicros
        #expect(Double(ProcessStats.selfUsage.switches - before) >= rounds, "a round trip is two blocking waits")
    }

    /// A run that cannot measure is an error, not a figure.
    @Test func aYardstickOfNoTimeIsRefused() {
        #expect(throws: (any Error).self) { try WakeupYardstick.run(seconds: 0) }
    }

    /// Results written before context switches were counted read with 0.
    @Test func figuresOfAnEarlierReleaseRead() throws {
        let old = Data(#"{"cpuSeconds": 1.5, "peakBytes": 1024}"#.utf8)
        #expect(try JSONDecoder().decode(ProcessStats.self, from: old) == ProcessStats(cpuSeconds: 1.5, peakBytes: 1024))
    }
}

/// Two readings handed from a thread to the test.
private final class LockedCounts: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (ProcessStatsPair, ProcessStatsPair)?
    typealias ProcessStatsPair = (voluntary: Int, preempted: Int)
    func set(_ a: ProcessStatsPair, _ b: ProcessStatsPair) { lock.withLock { stored = (a, b) } }
    var value: (ProcessStatsPair, ProcessStatsPair)? { lock.withLock { stored } }
}
