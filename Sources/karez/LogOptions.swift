import ArgumentParser
import KarezWire
import Logging

/// `--log-level` and `--log-format` of the long-running commands (`KAREZ_LOG_LEVEL` and
/// `KAREZ_LOG_FORMAT` set the same for every command).
struct LogOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Least important level logged: trace, debug, info, notice, warning, error or critical (default info, or KAREZ_LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    @Option(help: ArgumentHelp("text (for people) or json (one object per line: time, level, role, message, fields; for journald or Loki).", valueName: "format"))
    var logFormat: String?

    func validate() throws {
        if let logLevel, Logger.Level(rawValue: logLevel) == nil {
            throw ValidationError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got \(logLevel)")
        }
        if let logFormat, KarezLogging.Format(rawValue: logFormat) == nil { throw ValidationError("--log-format must be text or json, got \(logFormat)") }
    }

    /// Applies the flags given (the others keep their environment defaults).
    func apply() {
        guard logLevel != nil || logFormat != nil else { return }
        let current = KarezLogging.current
        KarezLogging.configure(level: logLevel.flatMap(Logger.Level.init(rawValue:)) ?? current.level,
                               format: logFormat.flatMap(KarezLogging.Format.init(rawValue:)) ?? current.format)
    }
}
