import KarezTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing
import ZeroMQ
import ZeroMQLoop

/// A `Service` whose `run()` is a ``SocketLoop`` serving ``EchoHandler``: it records the events
/// it was handed, in order.
final class EchoService: Service, Sendable {
    let loop: SocketLoop<EchoHandler>
    let seen = Mutex<[String]>([])
    init(context: Context, name: String) {
        loop = SocketLoop(name: name) { try EchoHandler(context: context, name: name) }
    }
    func run() async throws {
        try await loop.serve { event in seen.withLock { $0.append(event) } }
    }
}

@Suite("SocketLoop as a Service: graceful shutdown and cancellation run the handler's shutdown")
struct SocketLoopServiceTests {
    /// In a `ServiceGroup`, graceful shutdown stops the loop: the handler's `shutdown` runs on its
    /// thread (it emits "closed" after everything sent before), and `run()` returns.
    @Test func gracefulShutdownRunsTheHandlersShutdownAndEnds() async throws {
        let service = EchoService(context: try Context(), name: "echo-service-1")
        let group = ServiceGroup(configuration: .init(services: [.init(service: service)], logger: Logger(label: "test")))
        let running = Task { try await group.run() }
        for i in 0..<100 { #expect(await service.loop.send("m\(i)")) }
        #expect(try await eventually(timeout: .seconds(30)) { service.seen.withLock { $0.count } == 100 })
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(service.seen.withLock { $0 } == (0..<100).map { "m\($0)" } + ["closed"])
        #expect(await service.loop.send("after") == false)
    }

    /// Cancelling the task that runs it does the same.
    @Test func cancellationRunsTheHandlersShutdownAndEnds() async throws {
        let service = EchoService(context: try Context(), name: "echo-service-2")
        let running = Task { try await service.run() }
        #expect(await service.loop.send("one"))
        #expect(try await eventually(timeout: .seconds(30)) { service.seen.withLock { $0 } == ["one"] })
        running.cancel()
        try await running.value
        #expect(service.seen.withLock { $0 } == ["one", "closed"])
    }
}
