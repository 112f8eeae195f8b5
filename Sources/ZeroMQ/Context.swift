import CZeroMQ
import Synchronization

/// A libzmq context: the I/O threads and the registry of sockets.
///
/// A context is thread-safe and may be shared. Every ``Socket`` keeps its context alive, so the
/// context is terminated only after its last socket is closed. Call ``shutdown()`` to make every
/// blocking call on its sockets, in any thread, fail at once with `ETERM` (so owners can close them).
public final class Context: @unchecked Sendable {
    /// The raw `void *` context handle.
    let handle: UnsafeMutableRawPointer
    /// The ZAP handler, once started (``authenticator()``).
    let zap = Mutex<Authenticator?>(nil)

    /// Creates a context with the given number of I/O threads.
    public init(ioThreads: Int = 1) throws {
        guard let h = zmq_ctx_new() else { throw ZMQError.last("zmq_ctx_new") }
        handle = h
        if zmq_ctx_set(h, ZMQ_IO_THREADS, Int32(ioThreads)) != 0 {
            let error = ZMQError.last("zmq_ctx_set io_threads=\(ioThreads)")
            zmq_ctx_term(h)
            throw error
        }
        // Sockets default to a short linger so that closing never blocks for long.
        zmq_ctx_set(h, ZMQ_BLOCKY, 0)
    }

    /// Makes blocking calls on this context's sockets return `ETERM` in every thread.
    ///
    /// Sockets stay open until their owners close them; the context terminates when the last
    /// one is closed and the context is released.
    public func shutdown() {
        zmq_ctx_shutdown(handle)
    }

    deinit {
        // Every socket holds a strong reference, so none is open any more: this cannot block.
        while zmq_ctx_term(handle) != 0 && zmq_errno() == EINTR {}
    }

    /// The version of the linked libzmq, such as `(4, 3, 4)`.
    public static var libraryVersion: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// True when the linked libzmq was built with CURVE security.
    public static var hasCurve: Bool { zmq_has("curve") != 0 }
}
