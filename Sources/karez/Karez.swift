import Foundation
import ArgumentParser
import KarezWire
import Logging

/// The `karez` command: every role of Karez in one executable.
@main
struct Karez: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "karez",
        abstract: "Karez: a durable work queue over ZeroMQ for news stories, patient records and investment leads.",
        discussion: """
            Producers publish JSON items to a broker over ZeroMQ (proto-json/PROTOCOL.md); workers \
            validate, enrich and store them.
            """,
        version: KarezVersion.string,
        subcommands: [UpCommand.self, BrokerCommand.self, WorkerCommand.self, CollectorCommand.self, PublishCommand.self, TopCommand.self, ReportCommand.self, DLQCommand.self, CtlCommand.self, JournalCommand.self, CheckCommand.self, QueryCommand.self, ExportCommand.self, BenchCommand.self, KeysCommand.self, GenCommand.self]
    )

    /// Every file and folder Karez creates is private to its owner (umask 077).
    static func main() async {
        DataFolder.makeNewFilesPrivate()
        MemoryReturn.mapLargeBuffers()
        KarezLogging.bootstrap()
        await main(nil)
    }
}

/// The logger of a line `karez ROLE: message`: label `karez.ROLE`, and the message after the prefix.
private func logger(for line: String) -> (Logger, Logger.Message) {
    if line.hasPrefix("karez "), let colon = line.firstIndex(of: ":") {
        let role = line[line.index(line.startIndex, offsetBy: 6)..<colon]
        if !role.contains(" ") {
            return (Logger(label: "karez." + role), "\(line[line.index(after: colon)...].drop { $0 == " " })")
        }
    }
    return (Logger(label: "karez"), "\(line)")
}

/// Reports what a process does (`karez broker: front …`) through swift-log, at `info`.
func say(_ line: String) {
    let (log, message) = logger(for: line)
    log.info(message)
}

/// Reports a warning (`karez up: WARNING: …`) through swift-log.
func warn(_ line: String) {
    let (log, message) = logger(for: line)
    log.warning(message)
}

/// A failure at run time (not a wrong flag): says what went wrong through swift-log (an `error`
/// line), without the usage text, and gives exit status `status` (1 unless a command documents
/// another). `throw failure("karez broker", error)`.
func failure(_ who: String, _ error: Any, status: Int32 = 1) -> ExitCode {
    let (log, message) = logger(for: "\(who): \(error)")
    log.error(message)
    return ExitCode(status)
}

/// The version printed by `karez --version` and sent in protocol handshakes.
enum KarezVersion {
    static let string = "0.1.0"
}
