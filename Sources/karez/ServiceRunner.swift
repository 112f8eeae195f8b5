import Logging
import ServiceLifecycle

/// Runs a command's long-running parts as one `ServiceGroup`.
enum ServiceRunner {
    /// Runs `services` until SIGTERM or SIGINT, which shut them down gracefully in reverse
    /// order (so list a part before what feeds it: the collector before the broker, the broker
    /// before its workers). A part that ends or fails shuts the others down the same way. The
    /// signal handlers are in place before any part starts, so before any banner. Throws what
    /// failed, said in one line as `who: …` (exit status 1).
    static func run(_ services: [any Service], who: String) async throws {
        var configuration = ServiceGroupConfiguration(
            services: services.map {
                .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup)
            },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "karez.services"))
        // A part that cannot finish (a worker's store locked beyond its 20 s drain and the
        // store's own timeout) is cancelled after this.
        configuration.maximumGracefulShutdownDuration = .seconds(60)
        let group = ServiceGroup(configuration: configuration)
        do { try await group.run() } catch { throw failure(who, error) }
    }
}

/// A line a process says once it is ready (its banner), as a `Service` listed first in the
/// group: it runs after the group has put its signal handlers in place, so a SIGTERM right after
/// the banner stops the process cleanly. It then waits for the group's graceful shutdown.
struct Announcement: Service {
    /// The line, once known (after the broker listens, for example); a throw says nothing (the
    /// service that failed reports it).
    let line: @Sendable () async throws -> String

    func run() async throws {
        if let text = try? await line() { say(text) }
        try? await gracefulShutdown()
    }
}
