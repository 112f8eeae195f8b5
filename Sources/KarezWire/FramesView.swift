import KarezProtocol
import ZeroMQ

/// The frames of a received ``Multipart`` from `start` on (after the routing envelope), as
/// the protocol decoders read them. Valid until the next receive into the same `Multipart`.
public struct FramesView: FrameList {
    public let multipart: Multipart
    public let start: Int

    public init(_ multipart: Multipart, from start: Int = 0) {
        self.multipart = multipart
        self.start = start
    }

    public var frameCount: Int { max(0, multipart.count - start) }
    public func frame(_ index: Int) -> UnsafeRawBufferPointer { multipart.bytes(start + index) }
}

/// Writes frames straight onto a socket: the routing envelope first, then the message.
struct SocketFrameSink: FrameSink {
    let socket: Socket
    let waitForFirst: Bool
    /// False when the first frame could not be queued (the peer's queue is full).
    var accepted = true
    var first = true

    mutating func put(_ bytes: UnsafeRawBufferPointer, last: Bool) throws {
        guard accepted else { return }
        let sent = try socket.send(bytes, more: !last, wait: waitForFirst || !first)
        if first { accepted = sent; first = false }
    }
}

extension Socket {
    /// Sends a routing envelope and a message written frame by frame (`JOB`, `ACK` and `FIN`
    /// go out without being copied into arrays first).
    /// - Parameter wait: block while the peer's queue is full (or, for a DEALER, no peer is
    ///   connected yet) instead of giving up.
    /// - Returns: false when the message was not sent (only without `wait`).
    @discardableResult
    public func send(to envelope: [[UInt8]], _ message: some FrameWritable, wait: Bool = false) throws -> Bool {
        var sink = SocketFrameSink(socket: self, waitForFirst: wait)
        for f in envelope { try sink.put(bytes: f) }
        try message.write(to: &sink)
        return sink.accepted
    }
}
