/// Read access to the frames of one received message, after any routing envelope.
///
/// The ZeroMQ layer's `Multipart` conforms (in the services that own sockets); tests use arrays.
public protocol FrameList {
    /// Number of frames.
    var frameCount: Int { get }
    /// The bytes of frame `index`, valid while the message is.
    func frame(_ index: Int) -> UnsafeRawBufferPointer
}

extension FrameList {
    /// Frame `index` as text (UTF-8, invalid sequences replaced).
    public func text(_ index: Int) -> String { String(decoding: frame(index), as: UTF8.self) }
    /// Frame `index` copied out.
    public func bytes(_ index: Int) -> [UInt8] { Array(frame(index)) }
    /// True when frame `index` holds exactly `ascii`.
    public func frame(_ index: Int, equals ascii: StaticString) -> Bool {
        let f = frame(index)
        guard f.count == ascii.utf8CodeUnitCount else { return false }
        for i in 0..<f.count where f[i] != ascii.utf8Start[i] { return false }
        return true
    }
    /// Most frames of a routing envelope: the routing id, proxy hops and the empty delimiter.
    public static var maxEnvelopeFrames: Int { 8 }

    /// How many frames of a message received on a ROUTER socket are its routing envelope
    /// (PROTOCOL.md 2.2): the routing id alone when the next frame begins with `KZ` (a DEALER),
    /// else every frame up to and including the first empty one (a REQ, also behind proxies).
    /// With no empty frame the routing id alone, and what follows is answered `bad_frame`.
    /// An envelope is at most ``maxEnvelopeFrames`` frames of at most 255 bytes each (routing
    /// ids): replies repeat it, so a longer one is not taken as an envelope (the message is then
    /// answered `bad_frame` to its sender alone).
    public var envelopeCount: Int {
        guard frameCount > 1 else { return frameCount }
        let next = frame(1)
        if next.count >= 2, next[0] == UInt8(ascii: "K"), next[1] == UInt8(ascii: "Z") { return 1 }
        for i in 1..<Swift.min(frameCount, Self.maxEnvelopeFrames) {
            let f = frame(i)
            if f.isEmpty { return i + 1 }
            if f.count > 255 { return 1 }
        }
        return 1
    }

    /// True for a `KZ1 ERR …` message: a peer never answers an `ERR` with an `ERR` (2.4).
    public var isErrorReport: Bool { frameCount >= 2 && frame(0, equals: "KZ1") && frame(1, equals: "ERR") }

    /// Frame `index` as an unsigned ASCII decimal number.
    public func number(_ index: Int) -> UInt64? { DecimalText.value(frame(index)) }
}

/// Unsigned ASCII decimal numbers as frames carry them.
public enum DecimalText {
    /// The value of `bytes` when they are 1 to 20 decimal digits without leading zeros (`0`
    /// itself is fine) that fit in 64 bits, else nil (PROTOCOL.md 2.1).
    public static func value(_ bytes: UnsafeRawBufferPointer) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 20, bytes.count == 1 || bytes[0] != 0x30 else { return nil }
        var v: UInt64 = 0
        for b in bytes {
            guard b >= 0x30 && b <= 0x39 else { return nil }
            let (times10, o1) = v.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(b - 0x30))
            guard !o1 && !o2 else { return nil }
            v = sum
        }
        return v
    }
}

/// Frames held in owned memory (for tests, clients and low-rate paths).
public final class ByteFrames: FrameList, @unchecked Sendable {
    private let storage: [UnsafeMutableRawBufferPointer]

    /// Copies the frames.
    public init(_ frames: [[UInt8]]) {
        storage = frames.map { frame in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, frame.count), alignment: 1)
            frame.withUnsafeBytes { if $0.count > 0 { buffer.copyMemory(from: $0) } }
            return UnsafeMutableRawBufferPointer(start: buffer.baseAddress, count: frame.count)
        }
    }

    deinit { for buffer in storage { buffer.deallocate() } }

    public var frameCount: Int { storage.count }
    public func frame(_ index: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(storage[index]) }
}

/// Helpers to build frames.
enum Frame {
    static func ascii(_ s: StaticString) -> [UInt8] { Array(UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)) }
    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }
    static func number<N: BinaryInteger>(_ n: N) -> [UInt8] { Array(String(n).utf8) }
    static func json(_ v: JSONValue) -> [UInt8] { JSONWriter.bytes(v) }
}
