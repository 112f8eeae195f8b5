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

extension Socket {
    /// Sends a routing envelope followed by a message's frames, without waiting.
    /// - Returns: false when the peer's queue is full (the message was not sent).
    @discardableResult
    public func send(to envelope: [[UInt8]], _ frames: [[UInt8]]) throws -> Bool {
        try send(parts: envelope + frames, wait: false)
    }
}
