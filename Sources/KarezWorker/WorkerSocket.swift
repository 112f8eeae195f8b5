import Foundation
import KarezMetrics
import KarezProtocol
import KarezWire
import ZeroMQ
import ZeroMQLoop
import Synchronization

/// What the worker's socket thread reports to the processing side.
public enum WorkerEvent: Sendable {
    /// The broker answered HELLO (again, after a reconnect or broker restart).
    case welcome(Welcome)
    case jobs([Job])
    /// The broker refused something we sent.
    case brokerError(ErrorBody)
    /// After ``WorkerCommand/drain``: the broker sends nothing more and every job held was
    /// answered, so `BYE` gives nothing back.
    case drained
    /// An operator cancelled these deliveries (`CANCEL`): they are no longer held (their credit
    /// is asked for again) and a `DONE` or `FAIL` for them would be ignored.
    case cancelled([UInt64])
}

/// What the processing side asks the socket thread to do.
public enum WorkerCommand: Sendable {
    /// Send a message. `DONE` and `FAIL` also give the jobs' credit back: a `CREDIT` follows
    /// once a quarter of the worker's credit is free (``HeldJobs/returnThreshold``).
    case send(WorkerMessage)
    /// True while a batch is being written (and retried, if the store fails): once that has
    /// lasted a third of the lease, the leases of every job held are extended (`EXTEND`) every
    /// third of the lease, so a stalled or failing store never gets jobs redelivered.
    case holdLeases(Bool)
    /// Stop taking work: `DRAIN`, no more `CREDIT`; ``WorkerEvent/drained`` follows once the
    /// broker answered `DRAINED` and every job held is answered.
    case drain
}

/// Owns the worker's DEALER socket: says HELLO, keeps heartbeats both ways, re-registers when
/// the broker goes quiet or asks for it, passes jobs on, and keeps the credit it asks for within
/// the room it has, asking for freed credit a quarter at a time (``HeldJobs``). Runs inside a
/// ``SocketLoop``. Nothing here waits for the store: heartbeats go on while the processing side
/// is stalled.
final class WorkerSocketHandler: SocketHandler {
    let socket: Socket
    let hello: Hello
    private let message = Multipart()
    private var outbox: [WorkerMessage] = []
    private var lastHeard = ContinuousClock.now
    private var lastSent = ContinuousClock.now
    /// When the loop last asked for a message: it stops asking while the processing side is
    /// behind (backpressure), and a broker we do not read is not a silent broker.
    private var lastRead = ContinuousClock.now
    private var heartbeat: Duration = .seconds(1)
    private var lease: Duration = .seconds(30)
    private var held: HeldJobs
    /// Since when the store has been busy with a batch (nil: it is not).
    private var holdingSince: ContinuousClock.Instant?
    private var lastExtend = ContinuousClock.now
    private var registered = false
    /// The broker sent a packed message since the last `HELLO`: it reads packed ones too.
    private var brokerPacks = false
    /// `DRAIN` sent, and `DRAINED` heard back.
    private var draining = false, drainAnswered = false
    private var lastHello = ContinuousClock.now - .seconds(60)
    private let metrics: WorkerMetricsSource?
    private var lastMetrics = ContinuousClock.now
    /// Deliveries the broker cancelled, shared with the processing side, which skips those it
    /// has not started.
    let cancelled: CancelledDeliveries
    /// `--noop`: the metrics that count jobs acknowledged here, on the socket thread, as they
    /// arrive (nil: jobs go to the processing side). The transport alone, without a hop to the
    /// processing side and back.
    private let noopMetrics: SharedMetrics?

    init(context: Context, endpoint: String, hello: Hello, credit: Int, metrics: WorkerMetricsSource?, curve: CurveClientKeys?,
         cancelled: CancelledDeliveries, noopMetrics: SharedMetrics? = nil) throws {
        self.cancelled = cancelled
        self.noopMetrics = noopMetrics
        socket = try Socket(context, .dealer)
        try curve?.apply(to: socket)
        try socket.set(.linger(.milliseconds(500)))
        try socket.set(.reconnect(interval: .milliseconds(100), max: .seconds(2)))
        try socket.set(.maxMessageSize(16 << 20))
        try socket.set(.sendHighWaterMark(100_000))
        try socket.set(.receiveHighWaterMark(100_000))
        try socket.connect(endpoint)
        self.hello = hello
        self.held = HeldJobs(limit: credit)
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
        while sent < outbox.count, (try? send(outbox[sent])) == true { sent += 1 }
        if sent > 0 { lastSent = .now }
        outbox.removeFirst(sent)
    }

    /// Sends one message, packed (PROTOCOL.md 2.5) when it lists several deliveries and the
    /// broker has shown in this session that it packs.
    private func send(_ m: WorkerMessage) throws -> Bool {
        switch m {
        case .done(let tags) where brokerPacks && tags.count > 1, .extend(let tags) where brokerPacks && tags.count > 1:
            return try socket.send(to: [], Packed(m))
        default:
            return try socket.send(to: [], m)
        }
    }

    private func sayHello() {
        // Only a new HELLO goes out; answers already queued (DONE, FAIL) stay queued: the broker
        // keeps the jobs of a worker that introduces itself again.
        // It goes first, so that they reach a broker that knows the connection again.
        outbox.removeAll { if case .hello = $0 { true } else { false } }
        outbox.insert(.hello(hello), at: 0)
        lastHello = .now
        registered = false
        brokerPacks = false
        flush()
    }

    func readOne(from index: Int, emit: (WorkerEvent) -> Void) throws -> Bool {
        lastRead = .now
        guard try socket.receive(into: message, wait: false) else { return false }
        lastHeard = .now
        let frames = FramesView(message)
        // A broker that packs its messages reads packed ones (PROTOCOL.md 2.5).
        if Pack.isPacked(frames) { brokerPacks = true }
        switch BrokerMessage.decode(frames) {
        case .success(.welcome(let w)):
            heartbeat = .milliseconds(w.heartbeatMilliseconds)
            lease = .milliseconds(w.leaseMilliseconds)
            registered = true
            let room = held.welcomed(by: w.incarnation, maxCredit: w.maxCredit)
            if draining {
                queue(.drain)  // a broker that restarted or forgot us: say it again, ask for nothing
            } else if room > 0 {
                queue(.credit(room))
            }
            emit(.welcome(w))
        case .success(.jobs(let jobs)):
            held.received(jobs.lazy.map(\.delivery))
            if let noopMetrics {
                noopMetrics.update { WorkerMetrics.recordNoop(jobs, into: &$0) }
                try handle(.send(.done(jobs.map(\.delivery))), emit: emit)
            } else {
                emit(.jobs(jobs))
            }
        case .success(.heartbeat): break
        case .success(.cancel(let tags)):
            cancelled.add(tags)
            let freed = held.creditToReturn(answering: tags)
            if freed > 0 && !draining { queue(.credit(freed)) }
            emit(.cancelled(tags))
            reportDrained(emit)
        case .success(.drained):
            drainAnswered = true
            reportDrained(emit)
        case .success(.error(let e)):
            if e.errors.contains(where: { $0.code == "hello_required" }) { sayHello() } else { emit(.brokerError(e)) }
        case .failure(let e): emit(.brokerError(e))
        }
        return true
    }

    func handle(_ command: WorkerCommand, emit: (WorkerEvent) -> Void) throws {
        switch command {
        case .send(let m):
            queue(m)
            let freed: Int
            switch m {
            case .done(let tags): freed = held.creditToReturn(answering: tags)
            case .fail(let tag, _, _): freed = held.creditToReturn(answering: CollectionOfOne(tag))
            default: freed = 0
            }
            if freed > 0 && !draining { queue(.credit(freed)) }
            reportDrained(emit)
        case .holdLeases(let on):
            if !on { holdingSince = nil } else if holdingSince == nil { holdingSince = .now }
        case .drain:
            guard !draining else { return }
            draining = true
            queue(.drain)
        }
    }

    /// Emits ``WorkerEvent/drained`` once the broker answered `DRAIN` and no job is held.
    private func reportDrained(_ emit: (WorkerEvent) -> Void) {
        guard draining, drainAnswered, held.deliveries.isEmpty else { return }
        drainAnswered = false  // once
        emit(.drained)
    }

    /// Restarts the lease of every job held, in messages of at most 1000 deliveries.
    private func extendLeases() {
        lastExtend = .now
        let tags = Array(held.deliveries)
        for start in stride(from: 0, to: tags.count, by: 1000) { queue(.extend(Array(tags[start..<min(tags.count, start + 1000)]))) }
    }

    func tick(now: ContinuousClock.Instant, emit: (WorkerEvent) -> Void) throws -> Duration? {
        flush()
        if now - lastSent >= heartbeat { queue(.heartbeat) }
        if let since = holdingSince, now - max(since, lastExtend) >= lease / 3 { extendLeases() }
        // Not reading (the processing side is behind) is not hearing nothing.
        if now - lastRead > heartbeat { lastHeard = now }
        // Silent broker (restarted or gone): register again, at most every 2 heartbeats.
        if (now - lastHeard > heartbeat * 3 || !registered) && now - lastHello > heartbeat * 2 { sayHello() }
        if now - lastMetrics >= .seconds(1) {
            lastMetrics = now
            metrics?.send(registered: registered)
        }
        return outbox.isEmpty ? min(heartbeat / 4, lease / 6) : .milliseconds(1)
    }

    func shutdown(emit: (WorkerEvent) -> Void) {
        _ = try? socket.send(parts: WorkerMessage.bye.frames, wait: false)
        socket.close()
        metrics?.send(registered: false)
        metrics?.sender.close()
    }
}

/// Deliveries the broker cancelled (`CANCEL`): the socket thread adds them as they come, the
/// processing side drops the jobs among them it has not started.
final class CancelledDeliveries: Sendable {
    private let tags = Mutex<Set<UInt64>>([])

    func add(_ new: [UInt64]) {
        tags.withLock { set in
            // Tags of jobs finished before their CANCEL came are never taken: bound them.
            if set.count > 100_000 { set.removeAll() }
            set.formUnion(new)
        }
    }

    /// Removes the cancelled jobs from `jobs`.
    func drop(from jobs: inout [Job]) {
        tags.withLock { set in
            if !set.isEmpty { jobs.removeAll { set.remove($0.delivery) != nil } }
        }
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
