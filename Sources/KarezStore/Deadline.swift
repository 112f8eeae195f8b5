import Synchronization

/// Thrown by ``withDeadline(_:_:)`` when time ran out.
struct DeadlineExceeded: Error {}

/// Runs `body` and returns its result, or throws ``DeadlineExceeded`` once `limit` has passed,
/// whichever comes first. At the deadline `body` is cancelled and left to end in the background:
/// the caller does not wait for it. (A task group would: it awaits every child, so a query that
/// does not heed cancellation, on a connection whose peer vanished, would hold the caller until
/// TCP gives up, many minutes later.) Cancelling the caller cancels `body` and returns at once too.
func withDeadline<T: Sendable>(_ limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { continuation in
            race.start(continuation, work: Task { race.finish(await Result(catching: body)) })
            race.timer(Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }  // cancelled: the body finished
                race.finish(.failure(DeadlineExceeded()))
            })
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The body and the deadline of one ``withDeadline(_:_:)``: the first to finish resumes the caller
/// and cancels the body.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var work: Task<Void, Never>?
        var timer: Task<Void, Never>?
        /// Set when the race ended before the continuation was known (cancelled at once).
        var early: Result<T, any Error>?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>) {
        let early = state.withLock { s -> Result<T, any Error>? in
            s.work = work
            if let e = s.early { return e }
            s.continuation = continuation
            return nil
        }
        if let early {
            work.cancel()
            continuation.resume(with: early)
        }
    }

    /// The deadline's task, cancelled once the race is over.
    func timer(_ task: Task<Void, Never>) {
        let over = state.withLock { s -> Bool in
            s.timer = task
            return s.continuation == nil
        }
        if over { task.cancel() }
    }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, work, timer) = state.withLock { s -> (CheckedContinuation<T, any Error>?, Task<Void, Never>?, Task<Void, Never>?) in
            defer { s.continuation = nil }
            if s.continuation == nil && s.early == nil && s.work == nil { s.early = result }
            return (s.continuation, s.work, s.timer)
        }
        guard let continuation else { return }
        work?.cancel()
        timer?.cancel()
        continuation.resume(with: result)
    }
}

extension Result where Failure == any Error {
    /// The result of an async throwing body.
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
