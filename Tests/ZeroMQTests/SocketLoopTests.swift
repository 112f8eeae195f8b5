import Foundation
import KarezTestSupport
import Testing
import ZeroMQ
import ZeroMQLoop

/// A handler that sends commands out of a PUSH socket and emits what its PULL socket receives.
final class EchoHandler: SocketHandler {
    let pull: Socket
    let push: Socket
    let message = Message()
    var ticks = 0

    init(context: Context, name: String) throws {
        pull = try Socket(context, .pull)
        try pull.bind("inproc://\(name)")
        push = try Socket(context, .push)
        try push.connect("inproc://\(name)")
    }

    var inputs: [Socket] { [pull] }

    func readOne(from index: Int, emit: (String) -> Void) throws -> Bool {
        guard try pull.receive(into: message, wait: false) else { return false }
        emit(message.string)
        return true
    }

    /// Commands not yet sent because the PUSH queue was full: a handler never blocks its loop.
    var pending: [String] = []

    func handle(_ command: String, emit: (String) -> Void) throws {
        if command == "fail" { throw ZMQError(code: EINVAL, operation: "asked to fail") }
        pending.append(command)
        try flush()
    }

    func flush() throws {
        var sent = 0
        while sent < pending.count, try push.send(pending[sent], wait: false) { sent += 1 }
        pending.removeFirst(sent)
    }

    func tick(now: ContinuousClock.Instant, emit: (String) -> Void) throws -> Duration? {
        ticks += 1
        try flush()
        return pending.isEmpty ? .milliseconds(50) : .milliseconds(1)
    }

    func shutdown(emit: (String) -> Void) {
        emit("closed")
        pull.close()
        push.close()
    }
}

@Suite("SocketLoop: one thread owns the sockets, async code talks to it")
struct SocketLoopTests {
    @Test func commandsGoOutAndEventsComeBackInOrder() async throws {
        let context = try Context()
        let loop = SocketLoop<EchoHandler>(name: "echo") { try EchoHandler(context: context, name: "echo-1") }
        for i in 0..<1000 { #expect(await loop.send("m\(i)")) }
        var received: [String] = []
        for try await event in loop.events {
            received.append(event)
            if received.count == 1000 { break }
        }
        #expect(received == (0..<1000).map { "m\($0)" })
        await loop.stop()
        #expect(try await loop.nextEvent() == "closed")
        #expect(try await loop.nextEvent() == nil)
        #expect(await loop.send("after stop") == false)
    }

    @Test func aFullOutboxStopsReadingSoMemoryStaysBounded() async throws {
        let context = try Context()
        let loop = SocketLoop<EchoHandler>(name: "bounded", inboxCapacity: 8, outboxCapacity: 16) {
            try EchoHandler(context: context, name: "echo-2")
        }
        // 5,000 commands pass through an inbox of 8 (send suspends), and their echoes wait in
        // libzmq's queues rather than the outbox while nobody consumes.
        let producer = Task { for i in 0..<5000 { await loop.send("m\(i)") } }
        // The outbox fills up to its capacity and then stays there: nothing more is read.
        // The producer task runs on the cooperative pool, which CPU-bound tests running in
        // parallel can hold for many seconds on a 2-core machine (11 s once in CI), so the
        // timeout only catches a loop that never fills its outbox.
        #expect(try await eventually(timeout: .seconds(60)) { loop.bufferedEvents >= 16 })
        #expect(loop.bufferedEvents == 16)
        try await Task.sleep(for: .milliseconds(300))
        #expect(loop.bufferedEvents == 16)
        var count = 0
        for try await event in loop.events {
            #expect(event == "m\(count)")
            count += 1
            if count == 5000 { break }
        }
        await producer.value
        #expect(count == 5000)
        await loop.stop()
    }

    @Test func aHandlerErrorEndsTheEventsWithThatError() async throws {
        let context = try Context()
        let loop = SocketLoop<EchoHandler>(name: "failing") { try EchoHandler(context: context, name: "echo-3") }
        await loop.send("fail")
        #expect(try await loop.nextEvent() == "closed")
        await #expect(throws: ZMQError.self) { _ = try await loop.nextEvent() }
        await loop.stop()
    }

    @Test func aFailedSetupIsReported() async throws {
        let context = try Context()
        let loop = SocketLoop<EchoHandler>(name: "setup") {
            _ = try EchoHandler(context: context, name: "dup")
            return try EchoHandler(context: context, name: "dup") // inproc name already bound
        }
        await #expect(throws: ZMQError.self) { _ = try await loop.nextEvent() }
        await loop.stop()
    }
}
