import ArgumentParser
import Foundation
import KarezDomain
import KarezStore
import KarezWorker
import ZeroMQ

/// `karez up`: every role in one process, for one machine.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run a broker and workers in one process with a SQLite store in ./karez-data.",
        discussion: "Prints its endpoints; Ctrl-C (or SIGTERM) stops intake, lets workers finish, syncs the journal and exits.")

    @OptionGroup var options: BrokerOptions

    @Option(help: "Workers to run.")
    var workers = 1

    @Option(help: "Store URL (default: sqlite:DATA/karez.sqlite).")
    var store: String?

    func run() async throws {
        let context = try Context()
        let broker = options.makeBroker(context: context)
        do { try broker.start() } catch { throw ValidationError("\(error)") }
        let (front, back) = broker.boundEndpoints
        let storeURL = store ?? "sqlite:\(options.data)/karez.sqlite"
        let store = try await openStore(storeURL)
        let pseudonymizer = try Pseudonymizer.load(production: false)
        let connect = back.replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1")
        var running: [Worker] = []
        for i in 0..<max(1, workers) {
            var settings = WorkerSettings()
            settings.name = "up-worker-\(i + 1)"
            running.append(Worker(broker: connect, store: store, settings: settings, pseudonymizer: pseudonymizer, zmq: context))
        }
        say("karez up: publish to \(front.replacingOccurrences(of: "0.0.0.0", with: "127.0.0.1")), workers on \(connect), store \(store.displayURL); Ctrl-C to stop")
        let all = running
        Signals.onTerminate { Task { for w in all { await w.stop() } } }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in running { group.addTask { try await w.run() } }
            try await group.waitForAll()
        }
        broker.stop()
        let stored = running.map(\.stats.stored).reduce(0, +), rejected = running.map(\.stats.rejected).reduce(0, +)
        say("karez up: stopped; stored \(stored), rejected \(rejected) in this run")
        await store.close()
    }
}
