import Dispatch
import Synchronization
import Testing
@testable import KarezStore

/// A body's gate: it waits until the test opens it (or a safety timer does, so nothing hangs).
private final class Gate: Sendable {
    private let state = Mutex<(opened: Bool, waiter: UnsafeContinuation<Void, Never>?)>((false, nil))

    /// Waits until ``open()``, ignoring cancellation, as a query on a vanished connection does.
    func wait() async {
        await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.opened { return true }
                s.waiter = c
                return false
            }
            if resumeNow { c.resume() }
        }
    }

    func open() {
        let waiter = state.withLock { s -> UnsafeContinuation<Void, Never>? in
            s.opened = true
            defer { s.waiter = nil }
            return s.waiter
        }
        waiter?.resume()
    }

    var isOpen: Bool { state.withLock { $0.opened } }

    /// Opens the gate after `seconds` whatever happens, so a wrong withDeadline fails instead of hanging.
    func openAnyway(after seconds: Double) { DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { self.open() } }
}

@Suite("withDeadline: a store call that ignores cancellation does not hold the worker")
struct DeadlineTests {
    /// A body that does not heed cancellation (as a query on a connection whose server vanished)
    /// and ends only when the gate opens: withDeadline returns while it still waits.
    @Test func theDeadlineReturnsWithoutWaitingForABodyThatIgnoresCancellation() async throws {
        let gate = Gate()
        gate.openAnyway(after: 60)
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100)) { await gate.wait(); return 1 }
        }
        #expect(!gate.isOpen, "withDeadline returned while the body was still waiting")
        gate.open()
    }

    @Test func aBodyThatFinishesInTimeGivesItsResultOrItsError() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Boom() } }
    }

    @Test func cancellingTheCallerEndsTheWaitWithoutTheBody() async throws {
        let gate = Gate()
        gate.openAnyway(after: 60)
        let task = Task { try await withDeadline(.seconds(600)) { await gate.wait(); return 1 } }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(!gate.isOpen, "the caller's cancellation ended the wait while the body was still waiting")
        gate.open()
    }
}
