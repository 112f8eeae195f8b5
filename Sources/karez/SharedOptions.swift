import ArgumentParser
import Foundation
import KarezProtocol
import KarezStore

/// `--store`, for the commands that read or write a store (worker, query, export).
struct StoreOptions: ParsableArguments {
    @Option(help: "Store URL: sqlite:PATH or postgres://user@host:5432/db (a password in the URL is visible to every user of the machine: prefer --store-password-file).")
    var store = StoreURL.defaultURL

    @OptionGroup var password: StorePasswordOption

    /// Opens the store (one line on failure).
    func open() async throws -> any Store { try await password.open(store) }
}

/// `--store-password-file`, for every command that opens a store (the collector too).
struct StorePasswordOption: ParsableArguments {
    @Option(help: ArgumentHelp("File whose first line is the PostgreSQL password (default: $KAREZ_STORE_PASSWORD_FILE).", valueName: "file"))
    var storePasswordFile: String?

    /// Opens `store` with the password file: the flag, or `KAREZ_STORE_PASSWORD_FILE` for a
    /// PostgreSQL store (the variable, set for a host's services, does not stop a SQLite command).
    func open(_ store: String) async throws -> any Store {
        let environment = ProcessInfo.processInfo.environment["KAREZ_STORE_PASSWORD_FILE"].flatMap { $0.isEmpty ? nil : $0 }
        return try await openStore(store, passwordFile: storePasswordFile ?? (store.hasPrefix("postgres") ? environment : nil))
    }
}

/// `--broker` as a list of endpoints (several brokers of a partitioned set), or a usage error
/// that says which entry is wrong.
func brokerList(_ text: String) throws -> [String] {
    do { return try EndpointList.parse(text) } catch { throw ValidationError("--broker: \(error)") }
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
