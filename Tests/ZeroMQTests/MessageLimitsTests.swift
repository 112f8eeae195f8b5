import Testing
@testable import ZeroMQ

/// A connected inproc PAIR: `a` receives what `b` sends.
private func pair(_ context: Context, _ name: String) throws -> (a: Socket, b: Socket) {
    let a = try Socket(context, .pair)
    try a.bind("inproc://limits-\(name)")
    let b = try Socket(context, .pair)
    try b.connect("inproc://limits-\(name)")
    try a.set(.receiveTimeout(.seconds(2)))
    return (a, b)
}

@Suite("Multipart: per-message frame and byte limits over real sockets")
struct MessageLimitsTests {
    @Test func aMessageWithinTheLimitsIsKeptWhole() throws {
        let context = try Context()
        let (a, b) = try pair(context, "within")
        let parts: [[UInt8]] = [Array("KZ1".utf8), [], Array(repeating: 7, count: 1000)]
        try b.send(parts: parts)
        let m = Multipart(limits: MessageLimits(maxFrames: 64, maxBytes: 1 << 20))
        #expect(try a.receive(into: m))
        #expect(!m.exceeded)
        #expect(m.count == 3)
        #expect(m.copiedFrames() == parts)
        #expect(m.received.frames == 3)
        #expect(m.received.bytes == 1003)
    }

    /// Exactly `maxFrames` frames are within the limit; one more breaks it.
    @Test func theFrameLimitIsInclusive() throws {
        let context = try Context()
        let (a, b) = try pair(context, "boundary")
        let m = Multipart(limits: MessageLimits(maxFrames: 64, maxBytes: 1 << 20))
        try b.send(parts: (0..<64).map { [UInt8](String($0).utf8) })
        #expect(try a.receive(into: m))
        #expect(!m.exceeded)
        #expect(m.count == 64)
        #expect(m[63].string == "63")
        try b.send(parts: (0..<65).map { [UInt8](String($0).utf8) })
        #expect(try a.receive(into: m))
        #expect(m.exceeded)
        #expect(m.received.frames == 65)
    }

    @Test func aHundredThousandEmptyFramesAreReadToTheEndAndDropped() throws {
        let context = try Context()
        let (a, b) = try pair(context, "many")
        try b.send(parts: [[UInt8]](repeating: [], count: 100_000))
        let m = Multipart(limits: MessageLimits(maxFrames: 64, maxBytes: 1 << 20))
        #expect(try a.receive(into: m))
        #expect(m.exceeded)
        #expect(m.count <= 8)
        #expect(m.received.frames == 100_000)
        #expect(m.received.bytes == 0)
        // Nothing of the message is left in the socket.
        #expect(try a.receive(into: Message(), wait: false) == false)
    }

    @Test func aMessageBeyondTheByteLimitKeepsNoLargeFrame() throws {
        let context = try Context()
        let (a, b) = try pair(context, "bytes")
        let mib = [UInt8](repeating: 0xAB, count: 1 << 20)
        try b.send(parts: [mib, mib, mib])
        let m = Multipart(limits: MessageLimits(maxFrames: 64, maxBytes: 1 << 20))
        #expect(try a.receive(into: m))
        #expect(m.exceeded)
        #expect(m.count <= 8)
        #expect((0..<m.count).allSatisfy { m[$0].count <= 4096 }, "kept frame sizes \((0..<m.count).map { m[$0].count })")
        #expect(m.received.frames == 3)
        #expect(m.received.bytes == 3 << 20)
    }

    @Test func theNextMessageAfterAnExceededOneArrivesIntact() throws {
        let context = try Context()
        let (a, b) = try pair(context, "next")
        let m = Multipart(limits: MessageLimits(maxFrames: 16, maxBytes: 4096))
        try b.send(parts: [[UInt8]](repeating: [1, 2, 3], count: 1000))
        try b.send(parts: [[UInt8](repeating: 9, count: 10_000)])
        let normal: [[UInt8]] = [Array("KZ1".utf8), Array("HB".utf8), Array(repeating: 5, count: 4000)]
        try b.send(parts: normal)
        #expect(try a.receive(into: m))
        #expect(m.exceeded)
        #expect(m.received.frames == 1000)
        #expect(try a.receive(into: m))
        #expect(m.exceeded)
        #expect(m.count <= 1 && (m.count == 0 || m[0].count == 0))
        #expect(try a.receive(into: m))
        #expect(!m.exceeded)
        #expect(m.copiedFrames() == normal)
        #expect(m.received.frames == 3)
        #expect(m.received.bytes == 4005)
    }

    /// On a ROUTER over TCP the envelope (the routing id) is among the frames kept of a message
    /// that broke the limits, so the receiver can still answer the peer.
    @Test func anExceededMessageOnARouterKeepsItsEnvelope() throws {
        let context = try Context()
        let router = try Socket(context, .router)
        try router.bind("tcp://127.0.0.1:*")
        try router.set(.receiveTimeout(.seconds(2)))
        let dealer = try Socket(context, .dealer)
        try dealer.set(.routingID(Array("peer-1".utf8)))
        try dealer.connect(try router.lastEndpoint())
        try dealer.send(parts: [Array("KZ1".utf8)] + [[UInt8]](repeating: [0], count: 500))
        try dealer.send(parts: [Array("KZ1".utf8), Array("HB".utf8)])
        let m = Multipart(limits: MessageLimits(maxFrames: 4, maxBytes: 1 << 20))
        #expect(try router.receive(into: m))
        #expect(m.exceeded)
        #expect(m.count >= 1 && m.count <= 4)
        #expect(m[0].array == Array("peer-1".utf8))
        #expect(m.received.frames == 502)
        #expect(try router.receive(into: m))
        #expect(!m.exceeded)
        #expect(m.copiedFrames() == [Array("peer-1".utf8), Array("KZ1".utf8), Array("HB".utf8)])
    }
}
