/// What a ZeroMQ endpoint string says about where it listens.
public enum EndpointAddress {
    /// The host part of `tcp://HOST:PORT` (`*` for all interfaces); nil for other transports.
    public static func host(of endpoint: String) -> String? {
        guard endpoint.hasPrefix("tcp://") else { return nil }
        let rest = endpoint.dropFirst(6)
        if rest.hasPrefix("["), let close = rest.firstIndex(of: "]") { return String(rest[rest.index(after: rest.startIndex)..<close]) }
        guard let colon = rest.lastIndex(of: ":") else { return String(rest) }
        return String(rest[..<colon])
    }

    /// True when the endpoint can only be reached from this machine: `inproc://`, `ipc://`, or
    /// TCP on a loopback address (`127.x.x.x`, `::1`, `localhost`).
    public static func isLoopback(_ endpoint: String) -> Bool {
        if endpoint.hasPrefix("inproc://") || endpoint.hasPrefix("ipc://") { return true }
        guard let host = host(of: endpoint) else { return false }
        return isLoopbackHost(host)
    }

    /// True for `127.x.x.x`, `::1` and `localhost`.
    public static func isLoopbackHost(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
