import Foundation

/// Runs `body` on a thread of its own and waits for it: for a loop that must keep time (sending
/// `PROGRESS` or heartbeats every so many ms) while other tests hold the cooperative pool's few
/// threads in blocking calls, which can stall a task there for a second on a loaded 2-core machine.
public func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}

/// Hands objects that are used by one thread at a time (a test's sockets, say) to ``onOwnThread(_:)``.
public struct HandedOver<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}
