import KarezProtocol
import ZeroMQ

/// Pushes `METRICS` snapshots to a collector: a `PUSH` socket with a small send high-water mark,
/// sending without waiting. A snapshot the socket cannot take at once (collector down or slow)
/// is dropped and counted; the next one carries the same cumulative figures, so nothing upstream
/// ever blocks or grows. Owned by one thread, like every socket.
public final class MetricsSender {
    private let socket: Socket
    /// Snapshots dropped because the collector could not take them.
    public private(set) var dropped = 0
    /// Snapshots handed to the socket.
    public private(set) var sent = 0

    /// Connects to the collector's intake (`tcp://HOST:7702`); the collector may start later.
    /// - Parameter curve: this process's keys and the collector's public key, for a CURVE intake.
    public init(context: Context, endpoint: String, curve: CurveClientKeys? = nil) throws {
        socket = try Socket(context, .push)
        try curve?.apply(to: socket)
        try socket.set(.sendHighWaterMark(10))
        try socket.set(.linger(.milliseconds(200)))
        try socket.set(.reconnect(interval: .milliseconds(200), max: .seconds(5)))
        try socket.set(.immediate(true))
        try socket.connect(endpoint)
    }

    /// Sends one snapshot if the socket can take it now.
    public func send(_ snapshot: MetricsSnapshot) {
        if (try? socket.send(parts: CollectorMessage.metrics(snapshot).frames, wait: false)) == true { sent += 1 } else { dropped += 1 }
    }

    /// Closes the socket (pending snapshots get the linger period to leave).
    public func close() { socket.close() }
}
