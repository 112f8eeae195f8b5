import CZeroMQ
import Foundation
import Synchronization

/// A peer asking to connect to a CURVE server socket, as libzmq's ZAP request describes it.
public struct ZAPRequest: Sendable {
    /// The server socket's ZAP domain (``SocketOption/zapDomain(_:)``).
    public let domain: String
    /// The peer's IP address.
    public let address: String
    /// The security mechanism, such as `CURVE`.
    public let mechanism: String
    /// The client's long-term public key (CURVE only).
    public let publicKey: CurveKey?
}

/// What an ``Authenticator`` policy answers.
public enum ZAPDecision: Sendable, Equatable {
    /// Let the peer in; every message it sends carries `userID` as its `User-Id` property.
    case allow(userID: String)
    /// Close the connection; the peer gets no answer.
    case deny(String)
}

/// The ZAP handler (RFC 27) of one ``Context``: an inproc `REP` socket at
/// `inproc://zeromq.zap.01`, served by its own thread, asking the policy registered for each
/// socket's ZAP domain.
///
/// Without a handler libzmq lets every CURVE client in, whatever its key; with one, a domain
/// that has no policy refuses everyone. Start it (``Context/authenticator()``) before binding
/// a CURVE server socket. The thread lives as long as the context: it ends when the context is
/// shut down.
public final class Authenticator: Sendable {
    /// The endpoint libzmq sends ZAP requests to.
    public static let endpoint = "inproc://zeromq.zap.01"
    private let policies = Mutex<[String: @Sendable (ZAPRequest) -> ZAPDecision]>([:])

    init(context: Context) throws {
        let ready = Mutex<Result<Void, ZMQError>?>(nil)
        let started = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            Thread.current.name = "karez-zap"
            let socket: Socket
            do {
                socket = try Socket(context, .rep)
                try socket.set(.linger(.zero))
                try socket.bind(Self.endpoint)
                ready.withLock { $0 = .success(()) }
            } catch {
                ready.withLock { $0 = .failure(error as? ZMQError ?? ZMQError(code: EINVAL, operation: "\(error)")) }
                started.signal()
                return
            }
            started.signal()
            serve(socket)
        }
        thread.start()
        started.wait()
        if case .failure(let error) = ready.withLock({ $0 }) { throw error }
    }

    /// Sets the policy for one ZAP domain (replacing an earlier one).
    public func register(domain: String, _ policy: @escaping @Sendable (ZAPRequest) -> ZAPDecision) {
        policies.withLock { $0[domain] = policy }
    }

    private func serve(_ socket: Socket) {
        defer { socket.close() }
        while true {
            guard let request = try? socket.receiveParts(wait: true) else { return }  // ETERM: the context is shutting down
            let reply = answer(request)
            guard (try? socket.send(parts: reply)) != nil else { return }
        }
    }

    /// The reply frames for one request: version, request id, status code and text, user id, metadata.
    func answer(_ frames: [[UInt8]]) -> [[UInt8]] {
        guard frames.count >= 6, frames[0] == Array("1.0".utf8) else {
            return [Array("1.0".utf8), frames.count > 1 ? frames[1] : [], Array("500".utf8), Array("malformed ZAP request".utf8), [], []]
        }
        let text = { (i: Int) in String(decoding: frames[i], as: UTF8.self) }
        let mechanism = text(5)
        var key: CurveKey?
        if mechanism == "CURVE", frames.count >= 7, frames[6].count == 32 { key = CurveKey(raw: frames[6]) }
        let request = ZAPRequest(domain: text(2), address: text(3), mechanism: mechanism, publicKey: key)
        let policy = policies.withLock { $0[request.domain] }
        let decision = policy?(request) ?? .deny("no policy for ZAP domain \"\(request.domain)\"")
        switch decision {
        case .allow(let userID):
            return [Array("1.0".utf8), frames[1], Array("200".utf8), Array("OK".utf8), Array(userID.utf8), []]
        case .deny(let reason):
            return [Array("1.0".utf8), frames[1], Array("400".utf8), Array(reason.prefix(200).utf8), [], []]
        }
    }
}

extension Context {
    /// The context's ZAP handler, started on first use.
    public func authenticator() throws -> Authenticator {
        try zap.withLock { existing in
            if let existing { return existing }
            let started = try Authenticator(context: self)
            existing = started
            return started
        }
    }
}
