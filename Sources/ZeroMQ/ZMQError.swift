import CZeroMQ

/// An error reported by libzmq, carrying its `errno` and libzmq's own description.
public struct ZMQError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The `errno` value libzmq set (for example `EAGAIN`, `ETERM`, `EINVAL`).
    public let code: Int32
    /// What was being attempted, such as `"bind tcp://*:7700"`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// The error libzmq reports for the calling thread right now.
    static func last(_ operation: @autoclosure () -> String) -> ZMQError {
        ZMQError(code: zmq_errno(), operation: operation())
    }

    /// libzmq's text for the error code.
    public var reason: String { String(cString: zmq_strerror(code)) }

    /// True when the context was terminated (or shut down) while the call was in progress.
    public var isContextTerminated: Bool { code == ETERM }

    /// True when a non-blocking call found nothing to do or a timeout expired.
    public var isWouldBlock: Bool { code == EAGAIN }

    public var description: String { "\(operation): \(reason) (errno \(code))" }
}

/// Runs a libzmq call that returns -1 on failure, retrying it when a signal interrupted it.
///
/// This is the one place where `EINTR` is handled: every call in this module goes through it.
/// `EAGAIN` is returned as `nil` so that non-blocking callers can tell "nothing now" from failure.
@inline(__always)
func retryingInterrupts(_ operation: @autoclosure () -> String, _ call: () -> Int32) throws -> Int32? {
    while true {
        let rc = call()
        if rc >= 0 { return rc }
        let err = zmq_errno()
        if err == EINTR { continue }
        if err == EAGAIN { return nil }
        throw ZMQError(code: err, operation: operation())
    }
}
