/// Where an outgoing message's frames go, one at a time: a socket, or an array.
///
/// The hot messages (`JOB`, `ACK`, `FIN`, `DONE`) are written frame by frame straight from the
/// values they describe, so a socket sends them without building a `[[UInt8]]` per message.
public protocol FrameSink {
    /// Takes the next frame; `last` is true for the message's final frame.
    mutating func put(_ bytes: UnsafeRawBufferPointer, last: Bool) throws
}

extension FrameSink {
    /// A frame holding ASCII text.
    public mutating func put(_ ascii: StaticString, last: Bool = false) throws {
        try put(UnsafeRawBufferPointer(start: ascii.utf8Start, count: ascii.utf8CodeUnitCount), last: last)
    }

    /// A frame holding a string's UTF-8 bytes.
    public mutating func put(text: String, last: Bool = false) throws {
        var text = text
        try text.withUTF8 { try put(UnsafeRawBufferPointer($0), last: last) }
    }

    /// A frame holding bytes.
    public mutating func put(bytes: [UInt8], last: Bool = false) throws {
        try bytes.withUnsafeBytes { try put($0, last: last) }
    }

    /// A frame holding an unsigned number in ASCII decimal.
    public mutating func put(number: UInt64, last: Bool = false) throws {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)      // 24 bytes: room for 20 digits
        try withUnsafeMutableBytes(of: &digits) { raw in
            var n = number, at = raw.count
            repeat {
                at -= 1
                raw[at] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            try put(UnsafeRawBufferPointer(rebasing: raw[at...]), last: last)
        }
    }

    /// Every frame of `frames`, the last one marked last.
    public mutating func put(all frames: [[UInt8]]) throws {
        for (i, f) in frames.enumerated() { try put(bytes: f, last: i == frames.count - 1) }
    }
}

/// A message that writes its own frames into a ``FrameSink``.
public protocol FrameWritable {
    func write(to sink: inout some FrameSink) throws
}

/// A `NAK` whose error body is already encoded: a sender refusing many items for the same
/// reason encodes the body once (the reply is ``FrontReply/nak(_:_:)`` on the wire).
public struct EncodedNAK: FrameWritable {
    public let id: [UInt8]
    public let body: [UInt8]

    public init(id: [UInt8], body: [UInt8]) { (self.id, self.body) = (id, body) }

    public func write(to sink: inout some FrameSink) throws {
        try sink.put(bytes: ProtocolTag.v1Bytes)
        try sink.put("NAK", last: false)
        try sink.put(bytes: id)
        try sink.put(bytes: body, last: true)
    }
}

extension BrokerMessage: FrameWritable {}
extension FrontReply: FrameWritable {}
extension FrontRequest: FrameWritable {}
extension WorkerMessage: FrameWritable {}

/// Collects frames into arrays (for ``BrokerMessage/frames`` and tests).
public struct FrameArray: FrameSink {
    public var frames: [[UInt8]] = []
    public init() {}
    public mutating func put(_ bytes: UnsafeRawBufferPointer, last: Bool) { frames.append(Array(bytes)) }

    /// The frames a writer puts.
    static func collect(_ write: (inout FrameArray) throws -> Void) -> [[UInt8]] {
        var sink = FrameArray()
        try? write(&sink)
        return sink.frames
    }
}
