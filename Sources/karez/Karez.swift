import ArgumentParser

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
        subcommands: [CheckCommand.self, QueryCommand.self, ExportCommand.self, BenchCommand.self, KeysCommand.self, GenCommand.self]
    )
}

/// The version printed by `karez --version` and sent in protocol handshakes.
enum KarezVersion {
    static let string = "0.1.0"
}
