import Foundation
import ArgumentParser
import KarezWire

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
        subcommands: [UpCommand.self, BrokerCommand.self, WorkerCommand.self, CollectorCommand.self, PublishCommand.self, TopCommand.self, ReportCommand.self, DLQCommand.self, JournalCommand.self, CheckCommand.self, QueryCommand.self, ExportCommand.self, BenchCommand.self, KeysCommand.self, GenCommand.self]
    )

    /// Every file and folder Karez creates is private to its owner (umask 077).
    static func main() async {
        DataFolder.makeNewFilesPrivate()
        MemoryReturn.mapLargeBuffers()
        await main(nil)
    }
}

/// Prints a warning line on standard error.
func warn(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}

/// Prints a status line and flushes it at once, so it reaches logs and pipes while the
/// command keeps running.
func say(_ line: String) {
    print(line)
    fflush(nil)
}

/// A failure at run time (not a wrong flag): says what went wrong on standard error, without
/// the usage text, and gives exit status `status` (1 unless a command documents another).
/// `throw failure("karez broker", error)`.
func failure(_ who: String, _ error: Any, status: Int32 = 1) -> ExitCode {
    FileHandle.standardError.write(Data("\(who): \(error)\n".utf8))
    return ExitCode(status)
}

/// The version printed by `karez --version` and sent in protocol handshakes.
enum KarezVersion {
    static let string = "0.1.0"
}
