import ArgumentParser
import Foundation
import KarezStore

/// `--store`, for the commands that read or write a store (worker, query, export).
struct StoreOptions: ParsableArguments {
    @Option(help: "Store URL: sqlite:PATH or postgres://user@host:5432/db (a password in the URL is visible to every user of the machine: prefer --store-password-file).")
    var store = StoreURL.defaultURL

    @Option(help: ArgumentHelp("File whose first line is the PostgreSQL password (default: $KAREZ_STORE_PASSWORD_FILE).", valueName: "file"))
    var storePasswordFile: String?

    /// Opens the store (one line on failure).
    func open() async throws -> any Store { try await openStore(store, passwordFile: passwordFile(storePasswordFile, for: store)) }
}

/// `--store-password-file`, or `KAREZ_STORE_PASSWORD_FILE` when the flag is not given and the
/// store is PostgreSQL (the variable, set for a host's services, does not stop a SQLite command).
func passwordFile(_ flag: String?, for store: String) -> String? {
    if let flag { return flag }
    guard store.hasPrefix("postgres") else { return nil }
    return ProcessInfo.processInfo.environment["KAREZ_STORE_PASSWORD_FILE"].flatMap { $0.isEmpty ? nil : $0 }
}

/// `--broker`: the broker's front endpoint, for the commands that talk to it as an operator
/// (dlq requeue, dlq purge).
struct FrontEndpointOptions: ParsableArguments {
    @Option(help: "The broker's front endpoint (one broker: a dead letter is on the broker that dead-lettered it).")
    var broker = "tcp://127.0.0.1:7700"
}

/// `--collector`: where a broker or worker pushes its metrics.
struct MetricsTargetOptions: ParsableArguments {
    @Option(help: "The collector's metrics intake, or none.")
    var collector = "tcp://127.0.0.1:7702"

    /// The intake, or nil for `none`.
    var target: String? { collector == "none" ? nil : collector }
}
