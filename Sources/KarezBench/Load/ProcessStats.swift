import Foundation

/// CPU seconds, peak resident memory and context switches of a process, read from /proc (Linux).
public struct ProcessStats: Sendable, Codable, Equatable {
    public var cpuSeconds = 0.0
    public var peakBytes = 0
    /// Times its threads gave up a core, waiting or preempted.
    public var contextSwitches = 0
    /// Those of them that were waits (for a message, a disk, a timer): each ends in a wake-up,
    /// whose price ``WakeupYardstick`` measures.
    public var voluntarySwitches = 0

    public init(cpuSeconds: Double = 0, peakBytes: Int = 0, contextSwitches: Int = 0, voluntarySwitches: Int = 0) {
        (self.cpuSeconds, self.peakBytes, self.contextSwitches, self.voluntarySwitches) = (cpuSeconds, peakBytes, contextSwitches, voluntarySwitches)
    }

    /// Reads results of releases before the context switches were counted (0 then).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        cpuSeconds = try c.decode(Double.self, forKey: .cpuSeconds)
        peakBytes = try c.decode(Int.self, forKey: .peakBytes)
        contextSwitches = try c.decodeIfPresent(Int.self, forKey: .contextSwitches) ?? 0
        voluntarySwitches = try c.decodeIfPresent(Int.self, forKey: .voluntarySwitches) ?? 0
    }

    /// The figures of process `pid` now, or nil when it is gone. With `threads`, also its
    /// context switches: those of the threads it has now (one that ended took its count along),
    /// one status file per thread.
    public static func read(pid: Int32, threads: Bool = true) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var stats = ProcessStats(cpuSeconds: (user + system) / ticks, peakBytes: (statusValues("/proc/\(pid)/status")["VmHWM"] ?? 0) * 1024)
        if threads {
            for tid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task")) ?? [] {
                let s = threadSwitches(statusFile: "/proc/\(pid)/task/\(tid)/status")
                stats.contextSwitches += s.voluntary + s.preempted
                stats.voluntarySwitches += s.voluntary
            }
        }
        return stats
    }

    /// The context switches a thread's /proc status file lists: waits, and preemptions.
    public static func threadSwitches(statusFile path: String) -> (voluntary: Int, preempted: Int) {
        let values = statusValues(path)
        return (values["voluntary_ctxt_switches"] ?? 0, values["nonvoluntary_ctxt_switches"] ?? 0)
    }

    /// The numbers of a /proc status file by name: "VmHWM:\t   1234 kB" is VmHWM = 1234.
    private static func statusValues(_ path: String) -> [String: Int] {
        guard let status = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: Int] = [:]
        for line in status.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let rest = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            if let first = rest.first, let value = Int(first) { values[String(line[..<colon])] = value }
        }
        return values
    }

    /// This process, with the context switches of every thread it ever had.
    public static var current: ProcessStats {
        var stats = read(pid: getpid(), threads: false) ?? ProcessStats()
        let usage = selfUsage
        (stats.contextSwitches, stats.voluntarySwitches) = (usage.switches, usage.voluntary)
        return stats
    }

    /// CPU seconds and context switches (all, and the waits among them) of every thread this
    /// process ever had (getrusage).
    public static var selfUsage: (cpuSeconds: Double, switches: Int, voluntary: Int) {
        var usage = rusage()
        guard getrusage(RUSAGE_SELF.rawValue, &usage) == 0 else { return (0, 0, 0) }
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return (seconds(usage.ru_utime) + seconds(usage.ru_stime), usage.ru_nvcsw + usage.ru_nivcsw, usage.ru_nvcsw)
    }

    /// CPU and switches add up; the peak is the larger one (processes of a role run side by side
    /// or one after another).
    public static func + (a: ProcessStats, b: ProcessStats) -> ProcessStats {
        ProcessStats(cpuSeconds: a.cpuSeconds + b.cpuSeconds, peakBytes: max(a.peakBytes, b.peakBytes),
                     contextSwitches: a.contextSwitches + b.contextSwitches, voluntarySwitches: a.voluntarySwitches + b.voluntarySwitches)
    }

    /// What was spent since `earlier` (a reading of the same process): CPU and switches
    /// subtracted, the peak kept.
    public func since(_ earlier: ProcessStats) -> ProcessStats {
        ProcessStats(cpuSeconds: max(0, cpuSeconds - earlier.cpuSeconds), peakBytes: peakBytes,
                     contextSwitches: max(0, contextSwitches - earlier.contextSwitches),
                     voluntarySwitches: max(0, voluntarySwitches - earlier.voluntarySwitches))
    }

    /// The larger of each figure: two readings of one process, whichever came later or saw
    /// more threads.
    public func merged(_ other: ProcessStats) -> ProcessStats {
        ProcessStats(cpuSeconds: max(cpuSeconds, other.cpuSeconds), peakBytes: max(peakBytes, other.peakBytes),
                     contextSwitches: max(contextSwitches, other.contextSwitches), voluntarySwitches: max(voluntarySwitches, other.voluntarySwitches))
    }
}
