import Foundation
import KarezProtocol
#if canImport(Glibc)
import Glibc
#endif

/// `DATA/control.json`: the operators' pauses and limits per kind (`karez ctl`), written and
/// synced (file and folder) before the broker answers, read at start.
enum ControlFile {
    /// The saved settings; none when there is no file. A damaged file, or one with values no
    /// `CTL` could have set, stops the start with one line that says what to do.
    static func load(_ url: URL) throws -> [String: KindControlSettings] {
        guard let data = FileManager.default.contents(atPath: url.path) else { return [:] }
        let remedy = "it holds the operators' pauses and limits (karez ctl): fix it, or remove it to start with none (every kind running, no limits)"
        let saved: [String: KindControlSettings]
        do { saved = try JSONDecoder().decode([String: KindControlSettings].self, from: data) } catch {
            throw BrokerError(.journal, "\(url.path) is damaged (not the JSON the broker writes); \(remedy)")
        }
        for (kind, s) in saved.sorted(by: { $0.key < $1.key }) {
            let rateOK = s.rate == 0 || (s.rate >= ControlRequest.minRate && s.rate <= ControlRequest.maxRate)
            guard Patterns.isKindName(kind), (0...1_000_000).contains(s.concurrency), rateOK else {
                throw BrokerError(.journal, "\(url.path): kind \"\(kind.prefix(40))\" has concurrency \(s.concurrency) and rate \(s.rate), which no limit can set; \(remedy)")
            }
        }
        return saved
    }

    /// Writes the settings atomically (a new file renamed over the old, then the folder synced).
    static func save(_ settings: [String: KindControlSettings], to url: URL) throws {
        try LifetimeCounts.save(settings, to: url, sync: true)
        let folder = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}
