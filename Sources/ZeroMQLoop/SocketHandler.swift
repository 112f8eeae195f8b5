import ZeroMQ

/// The socket-owning half of a ``SocketLoop``: created on the loop's thread, used only there.
///
/// The loop calls it from one thread only, so it may own libzmq sockets and mutable state
/// without locks. A handler must never block: it sends with `wait: false` and keeps what could
/// not be sent for a later ``tick(now:emit:)``, or the loop stops turning. `emit` hands an event to the async side; the loop never calls ``readOne(from:emit:)``
/// while its outbox is full, which is how back-pressure reaches the sockets.
public protocol SocketHandler<Command, Event>: AnyObject, SendableMetatype {
    /// What async code sends to the handler.
    associatedtype Command: Sendable
    /// What the handler sends to async code.
    associatedtype Event: Sendable

    /// The sockets the loop watches for input, in a fixed order.
    var inputs: [Socket] { get }

    /// Reads at most one message from `inputs[index]` without waiting.
    /// - Returns: false when nothing was waiting.
    func readOne(from index: Int, emit: (Event) -> Void) throws -> Bool

    /// Acts on one command from async code.
    func handle(_ command: Command, emit: (Event) -> Void) throws

    /// Timer work. Called every turn of the loop.
    /// - Returns: the longest the loop may wait before calling again, or `nil` for no deadline.
    func tick(now: ContinuousClock.Instant, emit: (Event) -> Void) throws -> Duration?

    /// Closes the handler's sockets. Called once, on the loop thread, when the loop stops; an
    /// error thrown here ends the event sequence with it (unless the loop already failed).
    func shutdown(emit: (Event) -> Void) throws

    /// Calls of ``readOne(from:emit:)`` per input in one turn of the loop. A handler that reads a
    /// whole batch in one call (and acts on it as one, such as a group commit) sets 1.
    var readsPerTurn: Int { get }
}

extension SocketHandler {
    public func tick(now: ContinuousClock.Instant, emit: (Event) -> Void) throws -> Duration? { nil }
    public var readsPerTurn: Int { 256 }
}
