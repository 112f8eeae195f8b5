import CZeroMQ

/// One frame held in a `zmq_msg_t` at a stable address, so receiving into it is zero-copy.
///
/// A `Message` is reused: each receive replaces its content. Its bytes are valid until the next
/// receive into it, a send of it, or its release.
public final class Message {
    /// The `zmq_msg_t`, allocated once and never moved.
    let pointer: UnsafeMutablePointer<zmq_msg_t>

    /// Creates an empty message.
    public init() {
        pointer = .allocate(capacity: 1)
        zmq_msg_init(pointer)
    }

    /// Creates a message holding a copy of `bytes`, ready to be sent.
    public convenience init(copying bytes: UnsafeRawBufferPointer) {
        self.init()
        zmq_msg_close(pointer)
        zmq_msg_init_size(pointer, bytes.count)
        if bytes.count > 0 {
            zmq_msg_data(pointer).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        }
    }

    deinit {
        zmq_msg_close(pointer)
        pointer.deallocate()
    }

    /// Number of bytes in the frame.
    public var count: Int { zmq_msg_size(pointer) }

    /// True when another frame of the same message follows this one.
    public var hasMore: Bool { zmq_msg_more(pointer) != 0 }

    /// The frame's bytes, valid until the message is received into, sent or released.
    public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(pointer), count: zmq_msg_size(pointer))
    }

    /// A copy of the bytes.
    public var array: [UInt8] { Array(bytes) }

    /// The bytes decoded as UTF-8 (invalid sequences replaced).
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// A metadata property of a received frame (`zmq_msg_gets`), such as `"User-Id"` (what the
    /// ``Authenticator`` said about the sending peer) or `"Peer-Address"`; nil when absent.
    public func property(_ name: String) -> String? {
        guard let value = zmq_msg_gets(pointer, name) else { return nil }
        return String(cString: value)
    }

    /// Gives the frame's buffer back to the allocator (the message becomes empty).
    func release() {
        zmq_msg_close(pointer)
        zmq_msg_init(pointer)
    }
}

/// Bounds on one received multipart message: frames and bytes in total.
///
/// libzmq bounds a frame (`ZMQ_MAXMSGSIZE`), never a message: a peer may send a million empty
/// frames, or many large ones, as one message. A ``Multipart`` keeps frames up to these bounds
/// and discards the rest as they are read, so a hostile message costs no memory.
public struct MessageLimits: Sendable, Equatable {
    /// Most frames kept.
    public var maxFrames: Int
    /// Most bytes kept, over all frames.
    public var maxBytes: Int

    public init(maxFrames: Int, maxBytes: Int) {
        (self.maxFrames, self.maxBytes) = (max(1, maxFrames), max(0, maxBytes))
    }

    /// No bound beyond what memory allows (trusted peers only).
    public static let unlimited = MessageLimits(maxFrames: .max, maxBytes: .max)
}

/// A reusable multipart message: a list of ``Message`` frames grown on demand and reused.
///
/// Receiving into the same `Multipart` again allocates nothing once it has seen the largest
/// frame count, which keeps receive loops at C speed. A message beyond its ``limits`` is read
/// to its end and dropped: ``exceeded`` is true and only its first frames are kept (enough for
/// an envelope and a reply).
///
/// Like a socket, one thread uses it at a time, so its frame list skips Swift's dynamic
/// exclusivity checks (a measurable share of a receive loop).
public final class Multipart {
    @exclusivity(unchecked) private var slots: [Message] = []
    private let scratch = Message()
    /// Number of frames of the last message received (kept frames only).
    public private(set) var count = 0
    /// Bounds applied to every message received into this container.
    public let limits: MessageLimits
    /// True when the last message broke ``limits``: its frames beyond them were discarded.
    public private(set) var exceeded = false
    /// Frames and bytes of the last message as sent, counting those discarded.
    public private(set) var received: (frames: Int, bytes: Int) = (0, 0)
    /// Frames kept of a message that broke the limits: enough for an envelope and the tag.
    static let keptOfExceeded = 8

    /// Creates an empty container.
    public init(limits: MessageLimits = .unlimited) {
        self.limits = limits
    }

    /// Frame `index` of the last message received.
    public subscript(index: Int) -> Message {
        precondition(index < count, "frame \(index) of a \(count)-frame message")
        return slots[index]
    }

    /// Bytes of frame `index`.
    public func bytes(_ index: Int) -> UnsafeRawBufferPointer { self[index].bytes }

    /// Frames of the last message as copied arrays.
    public func copiedFrames() -> [[UInt8]] { (0..<count).map { slots[$0].array } }

    func removeAll() {
        count = 0
        exceeded = false
        received = (0, 0)
    }

    /// The slot of the next kept frame. The socket asks only while the message is within its
    /// limits (``needsDiscarding``); frames beyond them go to ``overflowSlot()``.
    func nextSlot() -> Message {
        if count == slots.count { slots.append(Message()) }
        count += 1
        return slots[count - 1]
    }

    /// Accounts the frame just received into a kept slot.
    func didReceive(_ slot: Message) {
        received.frames += 1
        received.bytes += slot.count
        if received.bytes > limits.maxBytes { markExceeded() }
    }

    /// True when the rest of the message must be read and dropped.
    var needsDiscarding: Bool { exceeded || count >= limits.maxFrames }

    /// The message frames beyond the limits are read into, and dropped.
    func overflowSlot() -> Message {
        if !exceeded { markExceeded() }
        return scratch
    }

    /// Accounts frames read and dropped by the socket.
    func discarded(frames: Int, bytes: Int) {
        received.frames += frames
        received.bytes += bytes
    }

    /// Drops kept frames beyond the first few and their buffers: the message will be refused.
    private func markExceeded() {
        exceeded = true
        let keep = min(count, Self.keptOfExceeded)
        for i in keep..<count { slots[i].release() }
        // A kept frame may be the large one that broke the byte bound: only small frames stay.
        for i in 0..<keep where slots[i].count > 4096 { slots[i].release() }
        count = keep
    }

    /// Frames the message before the last one filled (its slots beyond the last one's may still
    /// hold its frames).
    private var previousCount = 0

    /// Gives back large buffers held by slots the last message did not use (a large frame of an
    /// earlier message would otherwise stay allocated until a message as long came again). Only
    /// the slots the message before filled are looked at, and only frames over 4 KiB are freed
    /// (smaller ones live inside the `zmq_msg_t`), so this costs nothing on the hot path.
    func releaseUnused() {
        if previousCount > count {
            for i in count..<previousCount where slots[i].count > 4096 { slots[i].release() }
        }
        previousCount = count
    }

}
