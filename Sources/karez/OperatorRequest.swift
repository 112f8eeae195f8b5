import ArgumentParser
import KarezProtocol
import KarezWire
import ZeroMQ

/// Sends one operator command (`DLQ`, `CTL`) to a broker's front endpoint and returns its answer;
/// a broker that refuses it (`ERR`) or does not answer fails with one line naming `command`.
enum OperatorRequest {
    static func send(_ endpoint: String, _ request: FrontRequest, _ security: ClientSecurityOptions, command: String) throws -> FrontReply {
        let context = try Context()
        let socket = try Socket(context, .dealer)
        defer { socket.close() }
        do { try security.keys()?.apply(to: socket) } catch { throw failure(command, error) }
        try socket.set(.receiveTimeout(.seconds(10)))
        try socket.connect(endpoint)
        try socket.send(parts: request.frames)
        let reply = Multipart()
        guard try socket.receive(into: reply) else {
            throw failure(command, "no broker answered at \(endpoint) within 10 s (is it running? with CURVE: are --curve-key and --server-key right, and is the key in its --operators?)")
        }
        switch FrontReply.decode(FramesView(reply)) {
        case .success(.error(let e)): throw failure(command, "broker: \(e.errors.map(\.description).joined(separator: "; "))")
        case .success(let answer): return answer
        case .failure(let e): throw failure(command, "unexpected answer from the broker: \(e.errors.map(\.description).joined(separator: "; "))")
        }
    }
}

/// Durations and rates as operators write them: `250ms`, `30s`, `5m`, `1h`, `2d`; `200/s`, `30/m`.
enum OperatorText {
    /// Milliseconds of a duration such as `30s` (a bare number is seconds).
    static func milliseconds(_ text: String) -> UInt64? {
        let units: [(String, Double)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000), ("d", 86_400_000)]
        for (suffix, scale) in units where text.hasSuffix(suffix) {
            guard let n = Double(text.dropLast(suffix.count)), n >= 0, n * scale < 1e15 else { return nil }
            return UInt64((n * scale).rounded())
        }
        return Double(text).flatMap { $0 >= 0 && $0 * 1000 < 1e15 ? UInt64(($0 * 1000).rounded()) : nil }
    }

    /// Per second, of a rate such as `200/s`, `30/m` or `200`.
    static func perSecond(_ text: String) -> Double? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard let n = Double(parts[0]), n >= 0, n.isFinite, parts.count <= 2 else { return nil }
        guard parts.count == 2 else { return n }
        switch parts[1] {
        case "s": return n
        case "m": return n / 60
        case "h": return n / 3600
        default: return nil
        }
    }
}
