import CZeroMQ

/// A socket option with a typed value. Set with ``Socket/set(_:)``.
public enum SocketOption: Sendable {
    /// Most messages queued for sending per peer before sends block or fail (`ZMQ_SNDHWM`); 0 = no limit.
    case sendHighWaterMark(Int)
    /// Most messages queued on receipt per peer (`ZMQ_RCVHWM`); 0 = no limit.
    case receiveHighWaterMark(Int)
    /// How long unsent messages are kept after close (`ZMQ_LINGER`); `nil` = until sent.
    case linger(Duration?)
    /// The identity this socket presents to a ROUTER peer (`ZMQ_ROUTING_ID`, 1 to 255 bytes).
    case routingID([UInt8])
    /// ZMTP heartbeats: ping every `interval`, drop the peer after `timeout` without traffic,
    /// and ask the peer to drop us after `ttl` (`ZMQ_HEARTBEAT_IVL`, `_TIMEOUT`, `_TTL`).
    case heartbeat(interval: Duration, timeout: Duration, ttl: Duration)
    /// TCP keepalive probes (`ZMQ_TCP_KEEPALIVE`, `_IDLE`, `_INTVL`, `_CNT`).
    case tcpKeepalive(idle: Duration, interval: Duration, count: Int)
    /// Largest inbound frame accepted; a peer sending a larger one is disconnected (`ZMQ_MAXMSGSIZE`).
    case maxMessageSize(Int?)
    /// Fail sends to unknown routing ids instead of dropping them (`ZMQ_ROUTER_MANDATORY`).
    case routerMandatory(Bool)
    /// Queue messages only to completed connections (`ZMQ_IMMEDIATE`).
    case immediate(Bool)
    /// Timeout of blocking receives (`ZMQ_RCVTIMEO`); `nil` = wait forever.
    case receiveTimeout(Duration?)
    /// Timeout of blocking sends (`ZMQ_SNDTIMEO`); `nil` = wait forever.
    case sendTimeout(Duration?)
    /// Reconnect delay and its exponential back-off ceiling (`ZMQ_RECONNECT_IVL`, `_MAX`).
    case reconnect(interval: Duration, max: Duration)
    /// Subscribe a SUB socket to messages whose first frame starts with the prefix.
    case subscribe([UInt8])
    /// Cancel a subscription.
    case unsubscribe([UInt8])
    /// Act as a CURVE server with the given secret key: clients must know our public key.
    case curveServer(secretKey: CurveKey)
    /// Act as a CURVE client of the server whose public key is given.
    case curveClient(serverKey: CurveKey, keyPair: CurveKeyPair)
    /// Accept IPv6 as well as IPv4 (`ZMQ_IPV6`).
    case ipv6(Bool)
    /// The ZAP domain a server socket asks its context's ``Authenticator`` about (`ZMQ_ZAP_DOMAIN`).
    case zapDomain(String)
}

extension Duration {
    /// Whole milliseconds, the unit libzmq takes.
    var zmqMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: ms)
    }
}

extension Socket {
    /// Sets a typed socket option.
    public func set(_ option: SocketOption) throws {
        switch option {
        case .sendHighWaterMark(let n): try setInt(ZMQ_SNDHWM, Int32(clamping: n), "sndhwm")
        case .receiveHighWaterMark(let n): try setInt(ZMQ_RCVHWM, Int32(clamping: n), "rcvhwm")
        case .linger(let d): try setInt(ZMQ_LINGER, d?.zmqMilliseconds ?? -1, "linger")
        case .routingID(let id):
            guard (1...255).contains(id.count) else {
                throw ZMQError(code: EINVAL, operation: "routing id must be 1 to 255 bytes, got \(id.count)")
            }
            try setBytes(ZMQ_ROUTING_ID, id, "routing_id")
        case .heartbeat(let interval, let timeout, let ttl):
            try setInt(ZMQ_HEARTBEAT_IVL, interval.zmqMilliseconds, "heartbeat_ivl")
            try setInt(ZMQ_HEARTBEAT_TIMEOUT, timeout.zmqMilliseconds, "heartbeat_timeout")
            try setInt(ZMQ_HEARTBEAT_TTL, ttl.zmqMilliseconds, "heartbeat_ttl")
        case .tcpKeepalive(let idle, let interval, let count):
            try setInt(ZMQ_TCP_KEEPALIVE, 1, "tcp_keepalive")
            try setInt(ZMQ_TCP_KEEPALIVE_IDLE, max(1, idle.zmqMilliseconds / 1000), "tcp_keepalive_idle")
            try setInt(ZMQ_TCP_KEEPALIVE_INTVL, max(1, interval.zmqMilliseconds / 1000), "tcp_keepalive_intvl")
            try setInt(ZMQ_TCP_KEEPALIVE_CNT, Int32(clamping: count), "tcp_keepalive_cnt")
        case .maxMessageSize(let n):
            var v = Int64(n ?? -1)
            try setRaw(ZMQ_MAXMSGSIZE, &v, MemoryLayout<Int64>.size, "maxmsgsize")
        case .routerMandatory(let on): try setInt(ZMQ_ROUTER_MANDATORY, on ? 1 : 0, "router_mandatory")
        case .immediate(let on): try setInt(ZMQ_IMMEDIATE, on ? 1 : 0, "immediate")
        case .receiveTimeout(let d): try setInt(ZMQ_RCVTIMEO, d?.zmqMilliseconds ?? -1, "rcvtimeo")
        case .sendTimeout(let d): try setInt(ZMQ_SNDTIMEO, d?.zmqMilliseconds ?? -1, "sndtimeo")
        case .reconnect(let interval, let maxInterval):
            try setInt(ZMQ_RECONNECT_IVL, interval.zmqMilliseconds, "reconnect_ivl")
            try setInt(ZMQ_RECONNECT_IVL_MAX, maxInterval.zmqMilliseconds, "reconnect_ivl_max")
        case .subscribe(let prefix): try setBytes(ZMQ_SUBSCRIBE, prefix, "subscribe")
        case .unsubscribe(let prefix): try setBytes(ZMQ_UNSUBSCRIBE, prefix, "unsubscribe")
        case .curveServer(let secret):
            try setInt(ZMQ_CURVE_SERVER, 1, "curve_server")
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(secret.z85.utf8), "curve_secretkey")
        case .curveClient(let server, let pair):
            try setBytes(ZMQ_CURVE_SERVERKEY, Array(server.z85.utf8), "curve_serverkey")
            try setBytes(ZMQ_CURVE_PUBLICKEY, Array(pair.publicKey.z85.utf8), "curve_publickey")
            try setBytes(ZMQ_CURVE_SECRETKEY, Array(pair.secretKey.z85.utf8), "curve_secretkey")
        case .ipv6(let on): try setInt(ZMQ_IPV6, on ? 1 : 0, "ipv6")
        case .zapDomain(let domain): try setBytes(ZMQ_ZAP_DOMAIN, Array(domain.utf8), "zap_domain")
        }
    }

    private func setInt(_ name: Int32, _ value: Int32, _ label: String) throws {
        var v = value
        try setRaw(name, &v, MemoryLayout<Int32>.size, label)
    }

    private func setBytes(_ name: Int32, _ value: [UInt8], _ label: String) throws {
        let h = try requireOpen()
        try value.withUnsafeBytes { buf in
            _ = try retryingInterrupts("setsockopt \(label)") {
                zmq_setsockopt(h, name, buf.baseAddress, buf.count)
            }
        }
    }

    private func setRaw(_ name: Int32, _ value: UnsafeRawPointer, _ size: Int, _ label: String) throws {
        let h = try requireOpen()
        _ = try retryingInterrupts("setsockopt \(label)") { zmq_setsockopt(h, name, value, size) }
    }

    /// Reads an integer socket option.
    func getInt(_ name: Int32, _ label: String) throws -> Int32 {
        let h = try requireOpen()
        var v: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = try retryingInterrupts("getsockopt \(label)") { zmq_getsockopt(h, name, &v, &size) }
        return v
    }

    /// The descriptor libzmq signals when the socket's events may have changed (`ZMQ_FD`):
    /// edge-triggered, so check ``readyEvents()`` before waiting on it (``Poller`` does).
    func descriptor() throws -> Int32 { try getInt(ZMQ_FD, "fd") }

    /// The events ready on the socket now (`ZMQ_EVENTS`): whether a receive or send would succeed.
    public func readyEvents() throws -> PollEvents {
        PollEvents(rawValue: Int16(truncatingIfNeeded: try getInt(ZMQ_EVENTS, "events")))
    }
}
