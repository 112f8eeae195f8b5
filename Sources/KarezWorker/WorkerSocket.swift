import Foundation
import KarezMetrics
import KarezProtocol
import KarezWire
import ZeroMQ
import ZeroMQLoop

/// What the worker's socket thread reports to the processing side.
public enum WorkerEvent: Sendable {
    /// The broker answered HELLO (again, after a reconnect or broker restart).
    case welcome(Welcome)
    case jobs([Job])
    /// The broker refused something we sent.
    case brokerError(ErrorBody)
}

/// What the processing side asks the socket thread to send.
public enum WorkerCommand: Sendable {
    case send(WorkerMessage)
}

/// Owns the worker's DEALER socket: says HELLO, keeps heartbeats both ways, re-registers when
/// the broker goes quiet or asks for it, and passes jobs on. Runs inside a ``SocketLoop``.
final class WorkerSocketHandler: SocketHandler {
    let socket: Socket
    let hello: Hello
    private let message = Multipart()
    private var outbox: [WorkerMessage] = []
    private var lastHeard = ContinuousClock.now
    private var lastSent = ContinuousClock.now
    private var heartbeat: Duration = .seconds(1)
    private var credit: Int
    private var registered = false
    private var lastHello = ContinuousClock.now - .seconds(60)
    private let metrics: WorkerMetricsSource?
    private var lastMetrics = ContinuousClock.now

    init(context: Context, endpoint: String, hello: Hello, credit: Int, metrics: WorkerMetricsSource?) throws {
        socket = try Socket(context, .dealer)
        try socket.set(.linger(.milliseconds(500)))
        try socket.set(.reconnect(interval: .milliseconds(100), max: .seconds(2)))
        try socket.set(.maxMessageSize(16 << 20))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        try socket.connect(endpoint)
        self.hello = hello
        self.credit = credit
        self.metrics = metrics
        sayHello()
    }

    var inputs: [Socket] { [socket] }

    private func queue(_ m: WorkerMessage) {
        outbox.append(m)
        flush()
    }

    private func flush() {
        var sent = 0
        while sent < outbox.count, (try? socket.send(to: [], outbox[sent])) == true { sent += 1 }
        if sent > 0 { lastSent = .now }
        outbox.removeFirst(sent)
    }

    private func sayHello() {
        // A new registration starts from a clean slate: what was queued for the old one is void.
        outbox.removeAll()
        lastHello = .now
        registered = false
        queue(.hello(hello))
    }

    func readOne(from index: Int, emit: (WorkerEvent) -> Void) throws -> Bool {
        guard try socket.receive(into: message, wait: false) else { return false }
        lastHeard = .now
        switch BrokerMessage.decode(FramesView(message)) {
        case .success(.welcome(let w)):
            heartbeat = .milliseconds(w.heartbeatMilliseconds)
            registered = true
            queue(.credit(credit))
            emit(.welcome(w))
        case .success(.jobs(let jobs)): emit(.jobs(jobs))
        case .success(.heartbeat): break
        case .success(.error(let e)):
            if e.errors.contains(where: { $0.code == "hello_required" }) { sayHello() } else { emit(.brokerError(e)) }
        case .failure(let e): emit(.brokerError(e))
        }
        return true
    }

    func handle(_ command: WorkerCommand, emit: (WorkerEvent) -> Void) throws {
        switch command {
        case .send(let m): queue(m)
        }
    }

    func tick(now: ContinuousClock.Instant, emit: (WorkerEvent) -> Void) throws -> Duration? {
        flush()
        if now - lastSent >= heartbeat { queue(.heartbeat) }
        // Silent broker (restarted or gone): register again, at most every 2 heartbeats.
        if (now - lastHeard > heartbeat * 3 || !registered) && now - lastHello > heartbeat * 2 { sayHello() }
        if now - lastMetrics >= .seconds(1) {
            lastMetrics = now
            metrics?.send(registered: registered)
        }
        return outbox.isEmpty ? heartbeat / 4 : .milliseconds(1)
    }

    func shutdown(emit: (WorkerEvent) -> Void) {
        _ = try? socket.send(parts: WorkerMessage.bye.frames, wait: false)
        socket.close()
        metrics?.send(registered: false)
        metrics?.sender.close()
    }
}

/// The worker's metrics and the socket that pushes them to the collector; used on the socket
/// thread only (the metrics themselves are shared with the processing side).
final class WorkerMetricsSource {
    let sender: MetricsSender
    let shared: SharedMetrics
    private var clock: SnapshotClock

    init(sender: MetricsSender, shared: SharedMetrics, clock: SnapshotClock) {
        (self.sender, self.shared, self.clock) = (sender, shared, clock)
    }

    /// Pushes one snapshot (dropped, not queued, when the collector cannot take it).
    func send(registered: Bool) {
        var m = shared.current
        m.set("worker_registered", [:], registered ? 1 : 0)
        m.add("metrics_snapshots_dropped_total", [:], Double(sender.dropped))
        sender.send(clock.snapshot(of: m))
    }
}
