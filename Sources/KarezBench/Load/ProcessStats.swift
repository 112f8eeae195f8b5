import Foundation

/// CPU seconds, peak resident memory and context switches of a process, read from /proc (Linux).
public struct ProcessStats: Sendable, Codable, Equatable {
    public var cpuSeconds = 0.0
    public var peakBytes = 0
    /// Times its threads gave up a core, waiting (voluntary) or preempted: each is a wake-up to
    /// come, whose cost ``WakeupYardstick`` measures.
    public var contextSwitches = 0

    public init(cpuSeconds: Double = 0, peakBytes: Int = 0, contextSwitches: Int = 0) {
        (self.cpuSeconds, self.peakBytes, self.contextSwitches) = (cpuSeconds, peakBytes, contextSwitches)
    }

    /// Reads results of releases before the context switches were counted (0 then).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cpuSeconds = try c.decode(Double.self, forKey: .cpuSeconds)
        peakBytes = try c.decode(Int.self, forKey: .peakBytes)
        contextSwitches = try c.decodeIfPresent(Int.self, forKey: .contextSwitches) ?? 0
    }

    /// The figures of process `pid` now, or nil when it is gone. Its context switches are those
    /// of the threads it has now (a thread that ended took its count along).
    public static func read(pid: Int32) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let peak = statusValue("/proc/\(pid)/status", "VmHWM:").map { $0 * 1024 } ?? 0
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? []
        let switches = threads.reduce(0) { sum, tid in
            let path = "/proc/\(pid)/task/\(tid)/status"
            return sum + (statusValue(path, "voluntary_ctxt_switches:") ?? 0) + (statusValue(path, "nonvoluntary_ctxt_switches:") ?? 0)
        }
        return ProcessStats(cpuSeconds: (user + system) / ticks, peakBytes: peak, contextSwitches: switches)
    }

    /// The number after `key` in a /proc status file.
    private static func statusValue(_ path: String, _ key: String) -> Int? {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return nil }
        // "VmHWM:\t   1234 kB", "voluntary_ctxt_switches:\t56"
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "")
    }

    /// This process, with the context switches of every thread it ever had.
    public static var current: ProcessStats {
        var stats = read(pid: getpid()) ?? ProcessStats()
        stats.contextSwitches = selfContextSwitches
        return stats
    }

    /// Context switches of every thread this process ever had (getrusage).
    public static var selfContextSwitches: Int { selfUsage.switches }

    /// CPU seconds and context switches of every thread this process ever had (getrusage).
    public static var selfUsage: (cpuSeconds: Double, switches: Int) {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return (0, 0) }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_nvcsw + usage.ru_nivcsw)
    }

    /// CPU and switches add up; the peak is the larger one (processes of a role run side by side
    /// or one after another).
    public static func + (a: ProcessStats, b: ProcessStats) -> ProcessStats {
        ProcessStats(cpuSeconds: a.cpuSeconds + b.cpuSeconds, peakBytes: max(a.peakBytes, b.peakBytes),
                     contextSwitches: a.contextSwitches + b.contextSwitches)
    }
}
