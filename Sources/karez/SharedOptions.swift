import ArgumentParser
import KarezStore

/// `--store`, for the commands that read or write a store (worker, query, export).
struct StoreOptions: ParsableArguments {
    @Option(help: "Store URL: sqlite:PATH or postgres://user:password@host:5432/db.")
    var store = StoreURL.defaultURL

    /// Opens the store (one line on failure).
    func open() async throws -> any Store { try await openStore(store) }
}

/// `--broker`: the broker's front endpoint, for the commands that talk to it as a producer or
/// operator (publish, dlq requeue, dlq purge).
struct FrontEndpointOptions: ParsableArguments {
    @Option(help: "The broker's front endpoint.")
    var broker = "tcp://127.0.0.1:7700"
}

/// `--collector`: where a broker or worker pushes its metrics.
struct MetricsTargetOptions: ParsableArguments {
    @Option(help: "The collector's metrics intake, or none.")
    var collector = "tcp://127.0.0.1:7702"

    /// The intake, or nil for `none`.
    var target: String? { collector == "none" ? nil : collector }
}
