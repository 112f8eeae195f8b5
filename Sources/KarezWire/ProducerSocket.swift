import ZeroMQ

/// The DEALER socket a producer publishes through: no linger, deep queues both ways and quick
/// reconnects (a restarted broker is found again within a second).
public enum ProducerSocket {
    /// A DEALER connecting (in the background) to a broker's front endpoint.
    /// - Parameter curve: the producer's keys and the broker's public key, for a CURVE broker.
    public static func connect(_ context: Context, to endpoint: String, curve: CurveClientKeys?, highWaterMark: Int) throws -> Socket {
        let socket = try Socket(context, .dealer)
        try curve?.apply(to: socket)
        try socket.set(.linger(.zero))
        try socket.set(.sendHighWaterMark(highWaterMark))
        try socket.set(.receiveHighWaterMark(highWaterMark))
        try socket.set(.reconnect(interval: .milliseconds(100), max: .seconds(1)))
        try socket.connect(endpoint)
        return socket
    }
}
