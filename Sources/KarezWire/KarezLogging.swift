import Foundation
import Logging
import Synchronization

/// How Karez processes report what they do: swift-log, one line per event on standard error,
/// as text for people or as one JSON object per line (`--log-format json`, for journald or Loki).
public enum KarezLogging {
    /// `text` (`2026-12-06T05:29:28.123Z info karez broker: message key=value`) or `json`
    /// (`{"time":…,"level":…,"role":…,"message":…,"fields":{…}}`).
    public enum Format: String, Sendable, CaseIterable {
        case text, json
    }

    static let settings = Mutex<(level: Logger.Level, format: Format)>((.info, .text))

    /// Installs the handler for the whole process (once, before any logger is made). The level
    /// and format come from `KAREZ_LOG_LEVEL` and `KAREZ_LOG_FORMAT` until ``configure(level:format:)``.
    public static func bootstrap(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let level = environment["KAREZ_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let format = environment["KAREZ_LOG_FORMAT"].flatMap(Format.init(rawValue:)) ?? .text
        settings.withLock { $0 = (level, format) }
        LoggingSystem.bootstrap { label in KarezLogHandler(label: label) }
    }

    /// Sets the level and format of every logger of the process (`--log-level`, `--log-format`).
    public static func configure(level: Logger.Level, format: Format) {
        settings.withLock { $0 = (level, format) }
    }

    /// The level and format in force.
    public static var current: (level: Logger.Level, format: Format) { settings.withLock { $0 } }

    /// The role shown for a logger label: `karez.broker.auth` → `broker.auth`.
    static func role(_ label: String) -> String { label.hasPrefix("karez.") ? String(label.dropFirst(6)) : label }
}

/// Writes each event as one line on standard error in the process's format.
struct KarezLogHandler: LogHandler {
    let label: String
    var metadata: Logger.Metadata = [:]

    /// The process-wide level (``KarezLogging/configure(level:format:)``); setting it here changes
    /// nothing, so every logger follows the command's `--log-level`.
    var logLevel: Logger.Level {
        get { KarezLogging.settings.withLock { $0.level } }
        set {}
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let format = KarezLogging.settings.withLock { $0.format }
        var fields = metadata
        for (k, v) in event.metadata ?? [:] { fields[k] = v }
        let time = Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
        let line: String
        switch format {
        case .text:
            let extra = fields.sorted { $0.key < $1.key }.map { " \($0.key)=\($0.value)" }.joined()
            let who = label.hasPrefix("karez.") ? "karez " + KarezLogging.role(label) : label
            line = "\(time) \(event.level) \(who): \(event.message)\(extra)\n"
        case .json:
            var object: [String: Any] = ["time": time, "level": event.level.rawValue, "role": KarezLogging.role(label), "message": "\(event.message)"]
            if !fields.isEmpty { object["fields"] = fields.mapValues { "\($0)" } }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
            line = String(decoding: data, as: UTF8.self) + "\n"
        }
        FileHandle.standardError.write(Data(line.utf8))
    }
}
