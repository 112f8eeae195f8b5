import CZeroMQ

/// A ZeroMQ socket, confined to the thread that uses it.
///
/// `Socket` is deliberately not `Sendable`: libzmq sockets must be used and closed by one
/// thread. Create it in the thread that owns it (see `ZeroMQLoop`), close it with ``close()``
/// (or let it be released). It keeps its ``Context`` alive while open.
public final class Socket {
    /// The socket's type.
    public let type: SocketType
    /// The context that owns the socket; kept alive for as long as the socket exists.
    public let context: Context
    private(set) var handle: UnsafeMutableRawPointer?

    /// Opens a socket of the given type. Its linger is 0 unless set otherwise.
    public init(_ context: Context, _ type: SocketType) throws {
        guard let h = zmq_socket(context.handle, type.rawValue) else {
            throw ZMQError.last("zmq_socket \(type)")
        }
        self.context = context
        self.type = type
        self.handle = h
    }

    deinit { close() }

    /// True until ``close()`` is called.
    public var isOpen: Bool { handle != nil }

    /// Closes the socket, discarding unsent messages after the linger period. Idempotent.
    public func close() {
        guard let h = handle else { return }
        handle = nil
        zmq_close(h)
    }

    func requireOpen() throws -> UnsafeMutableRawPointer {
        guard let h = handle else { throw ZMQError(code: ENOTSOCK, operation: "\(type) socket is closed") }
        return h
    }

    /// Binds to an endpoint such as `tcp://*:7700` or `inproc://name`.
    public func bind(_ endpoint: String) throws {
        let h = try requireOpen()
        _ = try retryingInterrupts("bind \(endpoint)") { zmq_bind(h, endpoint) }
    }

    /// Connects to an endpoint such as `tcp://127.0.0.1:7700`. The connection completes in the background.
    public func connect(_ endpoint: String) throws {
        let h = try requireOpen()
        _ = try retryingInterrupts("connect \(endpoint)") { zmq_connect(h, endpoint) }
    }

    /// Stops listening on a bound endpoint.
    public func unbind(_ endpoint: String) throws {
        let h = try requireOpen()
        _ = try retryingInterrupts("unbind \(endpoint)") { zmq_unbind(h, endpoint) }
    }

    /// Drops a connection made with ``connect(_:)``.
    public func disconnect(_ endpoint: String) throws {
        let h = try requireOpen()
        _ = try retryingInterrupts("disconnect \(endpoint)") { zmq_disconnect(h, endpoint) }
    }

    /// The endpoint last bound, with a wildcard port resolved (`tcp://127.0.0.1:*` → the real port).
    public func lastEndpoint() throws -> String {
        let h = try requireOpen()
        var buffer = [CChar](repeating: 0, count: 1024)
        var size = buffer.count
        _ = try retryingInterrupts("getsockopt last_endpoint") { zmq_getsockopt(h, ZMQ_LAST_ENDPOINT, &buffer, &size) }
        return String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Sending

    /// Sends one frame from raw bytes (copied by libzmq).
    ///
    /// - Parameters:
    ///   - more: true when further frames of the same message follow.
    ///   - wait: false to fail at once instead of blocking when the high-water mark is reached.
    /// - Returns: false when `wait` is false and the frame could not be queued now.
    @discardableResult
    public func send(_ bytes: UnsafeRawBufferPointer, more: Bool = false, wait: Bool = true) throws -> Bool {
        let h = try requireOpen()
        let flags = (more ? ZMQ_SNDMORE : 0) | (wait ? 0 : ZMQ_DONTWAIT)
        return try retryingInterrupts("send") { zmq_send(h, bytes.baseAddress, bytes.count, flags) } != nil
    }

    /// Sends one frame whose bytes are any contiguous collection (`[UInt8]`, `ArraySlice`, ...).
    @discardableResult
    public func send<Bytes: FrameBytes>(_ bytes: Bytes, more: Bool = false, wait: Bool = true) throws -> Bool {
        try bytes.withUnsafeBytes { try send($0, more: more, wait: wait) }
    }

    /// Sends one frame holding the UTF-8 bytes of a string.
    @discardableResult
    public func send(_ text: String, more: Bool = false, wait: Bool = true) throws -> Bool {
        var text = text
        return try text.withUTF8 { try send(UnsafeRawBufferPointer($0), more: more, wait: wait) }
    }

    /// Sends a received message onward without copying it; the message is empty afterwards.
    @discardableResult
    public func send(_ message: Message, more: Bool = false, wait: Bool = true) throws -> Bool {
        let h = try requireOpen()
        let flags = (more ? ZMQ_SNDMORE : 0) | (wait ? 0 : ZMQ_DONTWAIT)
        return try retryingInterrupts("send message") { zmq_msg_send(message.pointer, h, flags) } != nil
    }

    /// Sends a multipart message, one frame per element.
    ///
    /// libzmq delivers multipart messages atomically: once the first frame is queued, the
    /// remaining frames are queued too (they never fail with `EAGAIN`).
    @discardableResult
    public func send<Frame: FrameBytes>(parts: [Frame], wait: Bool = true) throws -> Bool {
        guard !parts.isEmpty else { return true }
        for (i, part) in parts.enumerated() {
            let sent = try send(part, more: i < parts.count - 1, wait: i == 0 ? wait : true)
            if !sent { return false }
        }
        return true
    }

    // MARK: Receiving

    /// Receives one frame into `message`, replacing what it held (zero-copy).
    ///
    /// - Returns: false when `wait` is false and nothing was waiting, or a receive timeout expired.
    @discardableResult
    public func receive(into message: Message, wait: Bool = true) throws -> Bool {
        let h = try requireOpen()
        let flags = wait ? 0 : ZMQ_DONTWAIT
        return try retryingInterrupts("receive") { zmq_msg_recv(message.pointer, h, flags) } != nil
    }

    /// Receives a whole multipart message into a reusable ``Multipart`` (zero-copy per frame).
    ///
    /// - Returns: false when `wait` is false and no message was waiting, or a timeout expired.
    @discardableResult
    public func receive(into multipart: Multipart, wait: Bool = true) throws -> Bool {
        multipart.removeAll()
        var slot = multipart.nextSlot()
        guard try receive(into: slot, wait: wait) else {
            multipart.removeAll()
            return false
        }
        // The remaining frames of a message are already here: receiving them never waits.
        while true {
            let more = slot.hasMore
            multipart.didReceive(slot)
            guard more else { break }
            if multipart.needsDiscarding {
                try discardRest(of: multipart)
                break
            }
            slot = multipart.nextSlot()
            try receive(into: slot, wait: true)
        }
        multipart.releaseUnused()
        return true
    }

    /// Reads and drops the remaining frames of a message over its limits, counting them: a
    /// tight loop, since a hostile message may have a million frames.
    private func discardRest(of multipart: Multipart) throws {
        let h = try requireOpen()
        let scratch = multipart.overflowSlot()
        var frames = 0, bytes = 0
        repeat {
            _ = try retryingInterrupts("receive") { zmq_msg_recv(scratch.pointer, h, 0) }
            frames += 1
            bytes += zmq_msg_size(scratch.pointer)
        } while zmq_msg_more(scratch.pointer) != 0
        scratch.release()
        multipart.discarded(frames: frames, bytes: bytes)
    }

    /// Receives a whole multipart message as copied byte arrays (convenient, not for hot paths).
    public func receiveParts(wait: Bool = true) throws -> [[UInt8]]? {
        let multipart = Multipart()
        guard try receive(into: multipart, wait: wait) else { return nil }
        return multipart.copiedFrames()
    }
}
