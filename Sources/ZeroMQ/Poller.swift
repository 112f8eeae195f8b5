import CZeroMQ

/// Events to wait for or found ready on a socket or file descriptor.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    public init(rawValue: Int16) { self.rawValue = rawValue }
    /// A receive would not block.
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    /// A send would not block.
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
}

/// Waits on several sockets and plain file descriptors at once (`zmq_poll`).
///
/// Level-triggered: a socket with a message waiting stays readable, so the edge-triggered
/// `ZMQ_FD` pitfall does not arise. Confined to the thread that owns the sockets.
public struct Poller {
    private var items: [zmq_pollitem_t] = []
    private var sockets: [Socket?] = []

    public init() {}

    /// Adds a socket; returns its index for ``ready(_:)``.
    @discardableResult
    public mutating func add(_ socket: Socket, events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        sockets.append(socket)
        return items.count - 1
    }

    /// Adds a plain file descriptor (an eventfd or pipe, say); returns its index.
    @discardableResult
    public mutating func add(fileDescriptor fd: Int32, events: PollEvents = .readable) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        sockets.append(nil)
        return items.count - 1
    }

    /// Changes the events watched at `index` (an empty set ignores it for now).
    public mutating func watch(_ index: Int, events: PollEvents) {
        items[index].events = events.rawValue
    }

    /// Waits until something is ready or `timeout` passes (`nil` = forever).
    /// - Returns: the number of ready items (0 on timeout).
    @discardableResult
    public mutating func poll(timeout: Duration?) throws -> Int {
        // zmq_poll counts whole milliseconds: a positive wait below 1 ms waits 1 ms rather than
        // 0 ms, which would return at once and make a caller's loop spin.
        let ms: Int = timeout.map { $0 <= .zero ? 0 : max(1, Int($0.zmqMilliseconds)) } ?? -1
        let n = items.count
        let ready = try items.withUnsafeMutableBufferPointer { buffer in
            try retryingInterrupts("zmq_poll") { zmq_poll(buffer.baseAddress, Int32(n), ms) }
        }
        return Int(ready ?? 0)
    }

    /// Waits like ``poll(timeout:)``, but to the microsecond rather than zmq_poll's millisecond:
    /// for an open-loop sender, whose late wake-ups would count in the latencies it measures.
    ///
    /// Readiness is still decided by zmq_poll (level-triggered). It runs first without waiting,
    /// which also re-arms each socket's edge-triggered `ZMQ_FD`; only if nothing is ready does
    /// the thread sleep in ppoll on those descriptors, then zmq_poll says what is ready.
    @discardableResult
    public mutating func poll(preciseTimeout timeout: Duration) throws -> Int {
        let deadline = ContinuousClock.now + timeout
        var ready = try poll(timeout: .zero)
        guard ready == 0, timeout > .zero else { return ready }
        let descriptors = try items.indices.map { i in try sockets[i]?.descriptor() ?? items[i].fd }
        // A descriptor also stirs for libzmq's own commands (a connection made, say): then
        // nothing is ready, and the wait goes on until the deadline.
        while ready == 0 {
            let left = deadline - ContinuousClock.now
            guard left > .zero else { break }
            var fds = descriptors.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let (seconds, attoseconds) = left.components
            var wait = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            _ = ppoll(&fds, nfds_t(fds.count), &wait, nil)
            ready = try poll(timeout: .zero)
        }
        return ready
    }

    /// The events found ready at `index` by the last ``poll(timeout:)``.
    public func ready(_ index: Int) -> PollEvents { PollEvents(rawValue: items[index].revents) }
}
