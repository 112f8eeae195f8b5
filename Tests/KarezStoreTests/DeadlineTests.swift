import Dispatch
import Testing
@testable import KarezStore

@Suite("withDeadline: a store call that ignores cancellation does not hold the worker")
struct DeadlineTests {
    /// A body that does not heed cancellation (as a query on a connection whose server vanished)
    /// and would end only after 5 s: the deadline of 100 ms returns long before it.
    @Test func theDeadlineReturnsWithoutWaitingForABodyThatIgnoresCancellation() async throws {
        let start = ContinuousClock.now
        await #expect(throws: DeadlineExceeded.self) {
            try await withDeadline(.milliseconds(100)) {
                await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { c.resume() }
                }
                return 1
            }
        }
        #expect(ContinuousClock.now - start < .seconds(4), "returned at the deadline, not when the body ended")
    }

    @Test func aBodyThatFinishesInTimeGivesItsResultOrItsError() async throws {
        #expect(try await withDeadline(.seconds(5)) { 42 } == 42)
        struct Boom: Error {}
        await #expect(throws: Boom.self) { try await withDeadline(.seconds(5)) { () async throws -> Int in throw Boom() } }
    }

    @Test func cancellingTheCallerEndsTheWaitAtOnce() async throws {
        let task = Task {
            try await withDeadline(.seconds(60)) {
                await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in
                    DispatchQueue.global().asyncAfter(deadline: .now() + 5) { c.resume() }
                }
                return 1
            }
        }
        let start = ContinuousClock.now
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(ContinuousClock.now - start < .seconds(4))
    }
}
