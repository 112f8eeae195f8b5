import Logging
import Foundation
import KarezProtocol
import KarezWire
import ServiceLifecycle
import Synchronization
import ZeroMQ
import ZeroMQLoop

/// The collector's metrics intake as a `Service`: the `PULL` socket, owned by the thread of a
/// ``SocketLoop``, takes in `METRICS` snapshots and hands them to the aggregator; the live
/// series are sampled once a second and the state saved every few seconds. On graceful
/// shutdown it reads what is still queued and saves the state once more. The only part of the
/// collector that touches a socket.
final class MetricsIntake: Service, Sendable {
    /// The endpoint bound (wildcard port resolved).
    let endpoint: String
    private let socket: SocketHandoff
    private let state: CollectorStateBox
    private let saveTo: URL?
    private let saveEvery: Double
    private let access: CurveServerAccess?

    /// Binds `endpoint` now (on the caller's thread), so its address is known before anything
    /// that sends to it starts; throws when it cannot.
    init(context: Context, endpoint: String, access: CurveServerAccess?, state: CollectorStateBox, saveTo: URL?, saveEvery: Double) throws {
        let socket = try Socket(context, .pull)
        try socket.set(.maxMessageSize(16 << 20))
        try socket.set(.receiveHighWaterMark(10_000))
        try socket.set(.linger(.zero))
        try access?.secure(socket, endpoint: "intake")
        do { try socket.bind(endpoint) } catch {
            socket.close()
            throw CollectorError(.endpoint, "cannot bind the metrics intake \(endpoint): \(error); is another collector running? (--intake)")
        }
        self.endpoint = (try? socket.lastEndpoint()) ?? endpoint
        self.socket = SocketHandoff(socket)
        (self.state, self.saveTo, self.saveEvery, self.access) = (state, saveTo, saveEvery, access)
    }

    /// Largest `METRICS` message accepted (PROTOCOL.md 9).
    static let maxMessageBytes = 1 << 20

    /// Takes in snapshots until graceful shutdown or cancellation.
    func run() async throws {
        let (socket, state, saveTo, saveEvery, access) = (self.socket, self.state, self.saveTo, self.saveEvery, self.access)
        let loop = SocketLoop<IntakeHandler>(name: "karez-intake", inboxCapacity: 1, outboxCapacity: 1) {
            IntakeHandler(socket: try socket.take(), state: state, saveTo: saveTo, saveEvery: saveEvery, access: access)
        }
        try await loop.serve { _ in }
    }
}

/// A bound socket on its way to the thread that will own it. libzmq lets a socket move to
/// another thread across a full memory barrier; starting that thread is one, and the socket is
/// used by one thread at a time.
final class SocketHandoff: @unchecked Sendable {
    private let lock = NSLock()
    private var socket: Socket?
    init(_ socket: Socket) { self.socket = socket }

    /// The socket, once: a second intake run has none.
    func take() throws -> Socket {
        lock.lock()
        defer { lock.unlock() }
        guard let s = socket else { throw CollectorError(.misuse, "the metrics intake runs once") }
        socket = nil
        return s
    }
}

/// The intake's socket handler, on its loop's thread.
final class IntakeHandler: SocketHandler {
    typealias Command = Never
    typealias Event = Never

    private let socket: Socket
    private let state: CollectorStateBox
    private let saveTo: URL?
    private let saveEvery: Double
    private let access: CurveServerAccess?
    private let message = Multipart(limits: MessageLimits(maxFrames: 4, maxBytes: MetricsIntake.maxMessageBytes))
    private var lastSample = 0.0
    private var lastSave = Date().timeIntervalSince1970

    init(socket: Socket, state: CollectorStateBox, saveTo: URL?, saveEvery: Double, access: CurveServerAccess?) {
        (self.socket, self.state, self.saveTo, self.saveEvery, self.access) = (socket, state, saveTo, saveEvery, access)
    }

    var inputs: [Socket] { [socket] }
    /// One read takes up to 1000 snapshots into the aggregator under one lock.
    var readsPerTurn: Int { 1 }

    func readOne(from _: Int, emit: (Never) -> Void) throws -> Bool {
        let curve = access != nil
        var batch: [(Result<MetricsSnapshot, ErrorBody>, sender: String?)] = []
        while batch.count < 1000, (try? socket.receive(into: message, wait: false)) == true {
            let sender = curve && message.count > 0 ? message[0].property("User-Id") : nil
            if message.exceeded {
                batch.append((.failure(ErrorBody(code: "too_large", message: "METRICS message beyond \(MetricsIntake.maxMessageBytes) bytes")), sender))
                continue
            }
            batch.append((CollectorMessage.decode(FramesView(message)).map { m -> MetricsSnapshot in switch m { case .metrics(let s): s } }, sender))
        }
        guard !batch.isEmpty else { return false }
        let now = Date().timeIntervalSince1970
        state.update { a in
            for (r, sender) in batch {
                switch r {
                case .success(let s): a.ingest(s, sender: sender, now: now)
                case .failure: a.refused()
                }
            }
        }
        return true
    }

    func handle(_ command: Never, emit: (Never) -> Void) throws {}

    /// Samples the live series once a second and saves the state every `saveEvery` seconds.
    func tick(now _: ContinuousClock.Instant, emit: (Never) -> Void) throws -> Duration? {
        let now = Date().timeIntervalSince1970
        let refusedConnections = access?.refusedCounts["intake"] ?? 0
        state.update { a in
            a.intakeAuthRefused = refusedConnections
            if now - lastSample >= 1 {
                lastSample = now
                a.sample(now: now)
            }
        }
        if let saveTo, now - lastSave >= saveEvery {
            lastSave = now
            state.save(to: saveTo)
        }
        let next = min(lastSample + 1, saveTo == nil ? .infinity : lastSave + saveEvery) - now
        return .milliseconds(Int64(max(10, min(1000, next * 1000))))
    }

    /// Takes in what is still queued (the last snapshots of processes stopping with it), saves
    /// the state and closes the socket.
    func shutdown(emit: (Never) -> Void) throws {
        while try readOne(from: 0, emit: emit) {}
        if let saveTo { state.save(to: saveTo) }
        socket.close()
    }
}

/// The aggregator behind a lock, shared by the intake thread and the HTTP handlers.
final class CollectorStateBox: Sendable {
    private let mutex: Mutex<Aggregator>
    init(_ a: Aggregator) { mutex = Mutex(a) }
    func update(_ body: (inout Aggregator) -> Void) { mutex.withLock { body(&$0) } }
    func read<T>(_ body: (Aggregator) -> T) -> T { mutex.withLock { body($0) } }

    func save(to url: URL) {
        let copy = mutex.withLock { $0 }
        do { try CollectorState.save(copy, to: url) } catch {
            Logger(label: "karez.collector").error("cannot save its totals", metadata: ["path": "\(url.path)", "error": "\(error)"])
        }
    }
}
