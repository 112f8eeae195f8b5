import Foundation
import KarezBench
import Testing

/// The figures `karez bench` reports per process, and the machine's price of a wake-up.
@Suite("Process figures and the wake-up yardstick")
struct ProcessStatsTests {
    /// A thread that waits gives up its core: each wait is a context switch, counted over every
    /// thread of the process (from /proc, and from getrusage for this process).
    @Test func waitingThreadsCountTheirSwitches() throws {
        let before = try #require(ProcessStats.read(pid: getpid())).contextSwitches
        let rusageBefore = ProcessStats.selfContextSwitches
        let done = DispatchSemaphore(value: 0), go = DispatchSemaphore(value: 0)
        let thread = Thread {
            for _ in 0..<20 { go.wait() }  // 20 waits on another thread
            done.signal()
        }
        thread.start()
        for _ in 0..<20 {
            go.signal()
            usleep(200)  // lets the other thread block again before the next signal
        }
        done.wait()
        let after = try #require(ProcessStats.read(pid: getpid()))
        #expect(after.contextSwitches >= before + 20, "\(before) → \(after.contextSwitches) switches")
        #expect(ProcessStats.selfContextSwitches >= rusageBefore + 20)
        #expect(after.cpuSeconds > 0 && after.peakBytes > 0)
        #expect((ProcessStats(contextSwitches: 3) + ProcessStats(contextSwitches: 4)).contextSwitches == 7)
    }

    /// Two threads waking each other in C: every wake-up costs some CPU, a round trip some time,
    /// and the counts come from real waits (this process switched at least once per wake-up).
    @Test func theWakeupYardstickMeasuresRealWakeups() throws {
        let before = ProcessStats.selfContextSwitches
        let y = try WakeupYardstick.run(seconds: 0.05)
        #expect(y.cpuMicrosPerWakeup > 0 && y.cpuMicrosPerWakeup < 10_000, "\(y.cpuMicrosPerWakeup) µs per wake-up")
        #expect(y.roundTripMicros > 0 && y.roundTripMicros < 50_000, "\(y.roundTripMicros) µs per round trip")
        let rounds = 50_000 / y.roundTripMicros
        #expect(Double(ProcessStats.selfContextSwitches - before) >= rounds, "a round trip is two blocking waits")
    }

    /// Results written before context switches were counted read with 0.
    @Test func figuresOfAnEarlierReleaseRead() throws {
        let old = Data(#"{"cpuSeconds": 1.5, "peakBytes": 1024}"#.utf8)
        #expect(try JSONDecoder().decode(ProcessStats.self, from: old) == ProcessStats(cpuSeconds: 1.5, peakBytes: 1024))
    }
}
