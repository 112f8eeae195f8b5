import Foundation
import ServiceLifecycle
import Synchronization
import ZeroMQ
import ZeroMQLoop

/// What the broker's loop tells its service.
enum BrokerEvent: Sendable {
    /// The journal is recovered and both endpoints are bound (wildcard ports resolved).
    case listening(front: String, back: String)
}

/// The broker as a `Service`: one thread (a ``SocketLoop`` running ``BrokerHandler``) owns the
/// front and back sockets, the journal and the ``BrokerCore``.
///
/// ``run()`` serves until graceful shutdown (SIGTERM/SIGINT in a `ServiceGroup`) or
/// cancellation: then intake stops, the journal is written and synced, the last metrics snapshot
/// goes out and the sockets close. It throws what stopped the broker (a port in use, a damaged
/// journal, a failed write).
public final class BrokerService: Service, Sendable {
    public let settings: BrokerSettings
    public let front: String
    public let back: String
    public let dataDirectory: URL
    let context: Context
    private let counters = Mutex(BrokerCore.Stats())
    private let listening = Mutex(Listening())

    private struct Listening {
        var endpoints: (front: String, back: String)?
        var ended: Result<Void, any Error>?
        var waiters: [CheckedContinuation<(front: String, back: String), any Error>] = []
    }

    /// - Parameters:
    ///   - front: endpoint producers connect to, such as `tcp://*:7700`.
    ///   - back: endpoint workers connect to, such as `tcp://*:7701`.
    public init(front: String, back: String, dataDirectory: URL, settings: BrokerSettings, context: Context) {
        (self.front, self.back, self.dataDirectory, self.settings, self.context) = (front, back, dataDirectory, settings, context)
    }

    /// Recovers the journal, binds both endpoints and serves until graceful shutdown or
    /// cancellation; then stops intake and syncs the journal.
    public func run() async throws {
        let loop = SocketLoop<BrokerHandler>(name: "karez-broker", inboxCapacity: 1, outboxCapacity: 4) { [self] in
            try BrokerHandler(service: self)
        }
        do {
            try await loop.serve { event in
                switch event {
                case .listening(let front, let back): announce((front, back))
                }
            }
        } catch {
            end(.failure(error))
            throw error
        }
        end(.success(()))
    }

    /// The endpoints actually bound (wildcard ports resolved), once the broker listens. Throws
    /// what stopped it if it never did.
    public func listeningEndpoints() async throws -> (front: String, back: String) {
        try await withCheckedThrowingContinuation { continuation in
            let now: Result<(front: String, back: String), any Error>? = listening.withLock { state in
                if let endpoints = state.endpoints { return .success(endpoints) }
                if case .failure(let error) = state.ended { return .failure(error) }
                if state.ended != nil { return .failure(BrokerError(.stopped, "the broker stopped before it listened")) }
                state.waiters.append(continuation)
                return nil
            }
            if let now { continuation.resume(with: now) }
        }
    }

    /// What the broker has done so far (updated every turn of its loop).
    public var stats: BrokerCore.Stats { counters.withLock { $0 } }

    func publish(_ stats: BrokerCore.Stats) { counters.withLock { $0 = stats } }

    private func announce(_ endpoints: (front: String, back: String)) {
        let waiters = listening.withLock { state in
            state.endpoints = endpoints
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(returning: endpoints) }
    }

    private func end(_ result: Result<Void, any Error>) {
        let waiters = listening.withLock { state in
            state.ended = result
            defer { state.waiters = [] }
            return state.waiters
        }
        let error: any Error
        if case .failure(let e) = result { error = e } else { error = BrokerError(.stopped, "the broker stopped before it listened") }
        for waiter in waiters { waiter.resume(throwing: error) }
    }
}
