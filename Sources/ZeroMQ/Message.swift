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
}

/// A reusable multipart message: a list of ``Message`` frames grown on demand and reused.
///
/// Receiving into the same `Multipart` again allocates nothing once it has seen the largest
/// frame count, which keeps receive loops at C speed.
public final class Multipart {
    private var slots: [Message] = []
    /// Number of frames of the last message received.
    public private(set) var count = 0

    /// Creates an empty container.
    public init() {}

    /// Frame `index` of the last message received.
    public subscript(index: Int) -> Message {
        precondition(index < count, "frame \(index) of a \(count)-frame message")
        return slots[index]
    }

    /// Bytes of frame `index`.
    public func bytes(_ index: Int) -> UnsafeRawBufferPointer { self[index].bytes }

    /// Frames of the last message as copied arrays.
    public func copiedFrames() -> [[UInt8]] { (0..<count).map { slots[$0].array } }

    func removeAll() { count = 0 }

    func nextSlot() -> Message {
        if count == slots.count { slots.append(Message()) }
        count += 1
        return slots[count - 1]
    }

    var lastHasMore: Bool { count > 0 && slots[count - 1].hasMore }
}
