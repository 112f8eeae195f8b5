import Logging
import Foundation
import KarezProtocol
import KarezWire
import Synchronization
import ZeroMQ

/// The collector's `PULL` socket and the thread that owns it: takes in `METRICS` snapshots,
/// hands them to the aggregator, samples the live series once a second and saves the state
/// every few seconds. The only part of the collector that touches a socket.
final class MetricsIntake: Sendable {
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)
    private let bound = Mutex<String?>(nil)

    /// Starts the thread, which binds `endpoint`; throws when it cannot.
    init(context: Context, endpoint: String, access: CurveServerAccess?, state: CollectorStateBox, saveTo: URL?, saveEvery: Double) throws {
        let started = DispatchSemaphore(value: 0)
        let failure = Mutex<String?>(nil)
        let thread = Thread { [self] in
            do {
                let socket = try Socket(context, .pull)
                try socket.set(.maxMessageSize(16 << 20))
                try socket.set(.receiveHighWaterMark(10_000))
                try socket.set(.linger(.zero))
                try access?.secure(socket, endpoint: "intake")
                do { try socket.bind(endpoint) } catch {
                    socket.close()
                    throw CollectorError("cannot bind the metrics intake \(endpoint): \(error); is another collector running? (--intake)")
                }
                bound.withLock { $0 = try? socket.lastEndpoint() }
                started.signal()
                run(socket, state, saveTo, saveEvery, access: access)
                socket.close()
            } catch {
                failure.withLock { $0 = "\(error)" }
                started.signal()
            }
            finished.signal()
        }
        thread.name = "karez-collector-intake"
        thread.start()
        started.wait()
        if let message = failure.withLock({ $0 }) { throw CollectorError(message) }
    }

    /// The endpoint bound (wildcard port resolved).
    var endpoint: String { bound.withLock { $0 ?? "" } }

    /// Largest `METRICS` message accepted (PROTOCOL.md 9).
    static let maxMessageBytes = 1 << 20

    private func run(_ socket: Socket, _ state: CollectorStateBox, _ saveTo: URL?, _ saveEvery: Double, access: CurveServerAccess?) {
        let curve = access != nil
        let message = Multipart(limits: MessageLimits(maxFrames: 4, maxBytes: Self.maxMessageBytes))
        var poller = Poller()
        _ = poller.add(socket)
        var lastSample = 0.0, lastSave = Date().timeIntervalSince1970
        while !stopping.load(ordering: .relaxed) {
            _ = try? poller.poll(timeout: .milliseconds(100))
            var batch: [(Result<MetricsSnapshot, ErrorBody>, sender: String?)] = []
            while batch.count < 1000, (try? socket.receive(into: message, wait: false)) == true {
                let sender = curve && message.count > 0 ? message[0].property("User-Id") : nil
                if message.exceeded {
                    batch.append((.failure(ErrorBody(code: "too_large", message: "METRICS message beyond \(Self.maxMessageBytes) bytes")), sender))
                    continue
                }
                batch.append((CollectorMessage.decode(FramesView(message)).map { m -> MetricsSnapshot in switch m { case .metrics(let s): s } }, sender))
            }
            let now = Date().timeIntervalSince1970
            let refusedConnections = access?.refusedCounts["intake"] ?? 0
            state.update { a in
                a.intakeAuthRefused = refusedConnections
                for (r, sender) in batch {
                    switch r {
                    case .success(let s): a.ingest(s, sender: sender, now: now)
                    case .failure: a.refused()
                    }
                }
                if now - lastSample >= 1 {
                    lastSample = now
                    a.sample(now: now)
                }
            }
            if let saveTo, now - lastSave >= saveEvery {
                lastSave = now
                state.save(to: saveTo)
            }
        }
        if let saveTo { state.save(to: saveTo) }
    }

    /// Stops the thread (saving the state once more) and waits for it.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        finished.wait()
        finished.signal()
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
