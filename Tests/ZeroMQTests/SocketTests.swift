import Foundation
import KarezTestSupport
import Testing
@testable import ZeroMQ

/// A bound socket and the resolved endpoint to connect to.
func bound(_ context: Context, _ type: SocketType, _ endpoint: String = "tcp://127.0.0.1:*") throws -> (Socket, String) {
    let socket = try Socket(context, type)
    try socket.bind(endpoint)
    return (socket, try socket.lastEndpoint())
}

@Suite("ZeroMQ sockets over real TCP and inproc")
struct SocketTests {
    @Test func pushPullOverTCP() throws {
        let context = try Context()
        let (pull, endpoint) = try bound(context, .pull)
        let push = try Socket(context, .push)
        try push.connect(endpoint)
        for i in 0..<100 { try push.send("message \(i)") }
        let message = Message()
        for i in 0..<100 {
            try pull.receive(into: message)
            #expect(message.string == "message \(i)")
            #expect(!message.hasMore)
        }
        push.close()
        pull.close()
    }

    @Test func dealerRouterMultipartWithRoutingID() throws {
        let context = try Context()
        let (router, endpoint) = try bound(context, .router)
        let dealer = try Socket(context, .dealer)
        try dealer.set(.routingID(Array("worker-1".utf8)))
        try dealer.connect(endpoint)
        try dealer.send(parts: [Array("KZ1".utf8), Array("HB".utf8)])
        let parts = try #require(try router.receiveParts())
        #expect(parts.count == 3)
        #expect(parts[0] == Array("worker-1".utf8))
        #expect(parts[1] == Array("KZ1".utf8))
        // Reply through the routing id.
        try router.send(parts: [parts[0], Array("KZ1".utf8), Array("HB".utf8)])
        let reply = try #require(try dealer.receiveParts())
        #expect(reply == [Array("KZ1".utf8), Array("HB".utf8)])
    }

    @Test func inprocPair() throws {
        let context = try Context()
        let (a, endpoint) = try bound(context, .pair, "inproc://pair-test")
        #expect(endpoint == "inproc://pair-test")
        let b = try Socket(context, .pair)
        try b.connect(endpoint)
        try b.send([1, 2, 3] as [UInt8])
        let m = Message()
        try a.receive(into: m)
        #expect(m.array == [1, 2, 3])
    }

    @Test func largeEmptyAndManyPartMessages() throws {
        let context = try Context()
        let (pull, endpoint) = try bound(context, .pull)
        let push = try Socket(context, .push)
        try push.connect(endpoint)
        let large = [UInt8](repeating: 0xAB, count: 16 << 20)
        try push.send(parts: [[], large, []])
        let many = (0..<1000).map { [UInt8](String($0).utf8) }
        try push.send(parts: many)

        let multipart = Multipart()
        try pull.receive(into: multipart)
        #expect(multipart.count == 3)
        #expect(multipart[0].count == 0)
        #expect(multipart[1].count == 16 << 20)
        #expect(multipart[1].bytes.allSatisfy { $0 == 0xAB })
        #expect(multipart[2].count == 0)
        try pull.receive(into: multipart)
        #expect(multipart.count == 1000)
        #expect(multipart[999].string == "999")
        #expect(multipart.copiedFrames() == many)
    }

    @Test func nonBlockingReceiveReportsNothingWaiting() throws {
        let context = try Context()
        let (pull, _) = try bound(context, .pull)
        #expect(try pull.receive(into: Message(), wait: false) == false)
        #expect(try pull.receiveParts(wait: false) == nil)
        try pull.set(.receiveTimeout(.milliseconds(20)))
        #expect(try pull.receive(into: Message()) == false)
    }

    @Test func pollerSeesReadableSocketsAndTimesOut() throws {
        let context = try Context()
        let (pull, endpoint) = try bound(context, .pull)
        let push = try Socket(context, .push)
        try push.connect(endpoint)
        var poller = Poller()
        let index = poller.add(pull)
        #expect(try poller.poll(timeout: .milliseconds(10)) == 0)
        try push.send("x")
        #expect(try poller.poll(timeout: .seconds(5)) == 1)
        #expect(poller.ready(index).contains(.readable))
        #expect(try pull.readyEvents().contains(.readable))
    }

    @Test func contextShutdownWakesABlockedReceiverWithoutHanging() async throws {
        let context = try Context()
        let finished = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        Thread {
            do {
                let pull = try Socket(context, .pull)
                try pull.bind("inproc://blocked")
                outcome.set("bound")
                try pull.receive(into: Message())
                outcome.set("received")
            } catch let error as ZMQError {
                outcome.set(error.isContextTerminated ? "ETERM" : "\(error)")
            } catch {
                outcome.set("\(error)")
            }
            finished.signal()
        }.start()
        // Shut down only once the thread is about to block in receive (on a loaded machine it
        // may start late; shutting down before it made its socket would test nothing).
        #expect(try await eventually(timeout: .seconds(30)) { outcome.get() == "bound" })
        try await Task.sleep(for: .milliseconds(50))
        context.shutdown()
        #expect(finished.wait(timeout: .now() + 5) == .success)
        #expect(outcome.get() == "ETERM")
    }

    @Test func oversizeMessagesAreDroppedByMaxMessageSize() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.set(.maxMessageSize(1024))
        try pull.set(.receiveTimeout(.milliseconds(300)))
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(context, .push)
        try push.connect(try pull.lastEndpoint())
        try push.send([UInt8](repeating: 1, count: 4096))
        #expect(try pull.receive(into: Message()) == false)
    }

    @Test func typedOptionsAreAcceptedAndBadOnesExplained() throws {
        let context = try Context()
        let s = try Socket(context, .dealer)
        try s.set(.sendHighWaterMark(10_000))
        try s.set(.receiveHighWaterMark(10_000))
        try s.set(.linger(.milliseconds(100)))
        try s.set(.heartbeat(interval: .seconds(1), timeout: .seconds(3), ttl: .seconds(6)))
        try s.set(.tcpKeepalive(idle: .seconds(30), interval: .seconds(5), count: 3))
        try s.set(.reconnect(interval: .milliseconds(100), max: .seconds(5)))
        try s.set(.immediate(true))
        let error = #expect(throws: ZMQError.self) { try s.set(.routingID([])) }
        #expect(error?.code == EINVAL)
        s.close()
        #expect(!s.isOpen)
        #expect(throws: ZMQError.self) { try s.connect("tcp://127.0.0.1:1") }
        #expect(throws: ZMQError.self) { try Socket(context, .pull).bind("nonsense://x") }
    }

    @Test func curveEncryptsAndRejectsUnknownServerKeys() throws {
        #expect(Context.hasCurve)
        let context = try Context()
        let server = try CurveKeyPair.generate()
        let client = try CurveKeyPair.generate()
        let router = try Socket(context, .router)
        try router.set(.curveServer(secretKey: server.secretKey))
        try router.set(.receiveTimeout(.seconds(5)))
        try router.bind("tcp://127.0.0.1:*")
        let endpoint = try router.lastEndpoint()

        let good = try Socket(context, .dealer)
        try good.set(.curveClient(serverKey: server.publicKey, keyPair: client))
        try good.connect(endpoint)
        try good.send("secret hello")
        let parts = try #require(try router.receiveParts())
        #expect(parts.last == Array("secret hello".utf8))

        let wrong = try Socket(context, .dealer)
        try wrong.set(.curveClient(serverKey: client.publicKey, keyPair: try CurveKeyPair.generate()))
        try wrong.connect(endpoint)
        try wrong.send("should not arrive")
        try router.set(.receiveTimeout(.milliseconds(300)))
        #expect(try router.receiveParts() == nil)
        #expect(throws: ZMQError.self) { try CurveKey(z85: "too short") }
    }

    @Test func receivedMessagesForwardWithoutCopy() throws {
        let context = try Context()
        let (pull1, e1) = try bound(context, .pull)
        let (pull2, e2) = try bound(context, .pull)
        let push1 = try Socket(context, .push)
        let push2 = try Socket(context, .push)
        try push1.connect(e1)
        try push2.connect(e2)
        try push1.send("pass me on")
        let m = Message()
        try pull1.receive(into: m)
        try push2.send(m)
        #expect(m.count == 0)
        try pull2.receive(into: m)
        #expect(m.string == "pass me on")
    }
}

/// A string set by one thread and read by another.
final class Outcome: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func set(_ v: String) { lock.lock(); value = v; lock.unlock() }
    func get() -> String { lock.lock(); defer { lock.unlock() }; return value }
}

@Suite("Poller: waits to the microsecond")
struct PreciseWaitTests {
    /// A message that arrives during a precise wait ends it; with nothing to read, the wait lasts
    /// at least its timeout (a lower bound only, so a loaded machine cannot fail it).
    @Test func aPreciseWaitSeesAMessageAndOtherwiseLastsItsTimeout() throws {
        let context = try Context()
        let pull = try Socket(context, .pull)
        try pull.bind("tcp://127.0.0.1:*")
        let push = try Socket(context, .push)
        try push.connect(try pull.lastEndpoint())
        defer { push.close(); pull.close() }
        var poller = Poller()
        let index = poller.add(pull)
        let start = ContinuousClock.now
        #expect(try poller.poll(preciseTimeout: .microseconds(1500)) == 0)
        #expect(ContinuousClock.now - start >= .microseconds(1500))
        try push.send(Array("x".utf8))
        var seen = false
        for _ in 0..<10_000 where !seen {
            if try poller.poll(preciseTimeout: .milliseconds(100)) > 0 { seen = poller.ready(index).contains(.readable) }
        }
        #expect(seen)
        #expect(try pull.receiveParts(wait: false) == [Array("x".utf8)])
    }
}
