import Foundation

/// CPU seconds and peak resident memory of a process, read from /proc (Linux).
public struct ProcessStats: Sendable, Codable, Equatable {
    public var cpuSeconds = 0.0
    public var peakBytes = 0

    public init(cpuSeconds: Double = 0, peakBytes: Int = 0) { (self.cpuSeconds, self.peakBytes) = (cpuSeconds, peakBytes) }

    /// The figures of process `pid` now, or nil when it is gone.
    public static func read(pid: Int32) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after "pid (comm)": state is field 3; utime and stime are fields 14 and 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        var peak = 0
        if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let kb = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") {
            peak = kb * 1024
        }
        return ProcessStats(cpuSeconds: (user + system) / ticks, peakBytes: peak)
    }

    /// This process.
    public static var current: ProcessStats { read(pid: getpid()) ?? ProcessStats() }

    /// CPU adds up; the peak is the larger one (processes of a role run side by side or one after another).
    public static func + (a: ProcessStats, b: ProcessStats) -> ProcessStats {
        ProcessStats(cpuSeconds: a.cpuSeconds + b.cpuSeconds, peakBytes: max(a.peakBytes, b.peakBytes))
    }
}
