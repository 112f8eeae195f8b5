import Foundation
import Logging
import Synchronization
import ZeroMQ

/// A CURVE client's keys: its own pair and the server's public key (`--curve-key`,
/// `--server-key`).
public struct CurveClientKeys: Sendable {
    public let keyPair: CurveKeyPair
    public let serverKey: CurveKey

    public init(keyPair: CurveKeyPair, serverKey: CurveKey) {
        (self.keyPair, self.serverKey) = (keyPair, serverKey)
    }

    /// Reads both files (see ``CurveKeyFile``).
    public init(keyFile: String, serverKeyFile: String) throws {
        self.init(keyPair: try CurveKeyFile.readKeyPair(keyFile), serverKey: try CurveKeyFile.readPublicKey(serverKeyFile))
    }

    /// Makes the socket a CURVE client of the server. Call before `connect`.
    public func apply(to socket: Socket) throws {
        try socket.set(.curveClient(serverKey: serverKey, keyPair: keyPair))
    }
}

/// A CURVE server's keys and who may connect to each of its endpoints.
///
/// Each endpoint is a ZAP domain with its own allow-list (the union of some key folders). A
/// refused peer gets no answer; each refusal is counted per endpoint and logged once per peer
/// address and key.
public final class CurveServerAccess: Sendable {
    public let keyPair: CurveKeyPair
    private let allowed: [String: [KeyDirectory]]
    /// Keys allowed on every endpoint (`karez up`'s own workers use the server's key).
    private let trusted: Set<CurveKey>
    private let refusals = Mutex<(counts: [String: Int], logged: Set<String>)>(([:], []))
    private let logger: Logger

    /// - Parameters:
    ///   - allowed: per endpoint name (`front`, `back`, `intake`), the folders whose keys may connect.
    ///   - trusted: keys allowed on every endpoint.
    public init(keyPair: CurveKeyPair, allowed: [String: [KeyDirectory]], trusted: Set<CurveKey> = [], logger: Logger) {
        (self.keyPair, self.allowed, self.trusted, self.logger) = (keyPair, allowed, trusted, logger)
    }

    /// Keys for a client inside the server's own process: its own pair, trusted everywhere.
    public var ownClientKeys: CurveClientKeys { CurveClientKeys(keyPair: keyPair, serverKey: keyPair.publicKey) }

    /// Makes `socket` a CURVE server for `endpoint` and registers its allow-list with the
    /// context's ZAP handler. Call before `bind`.
    public func secure(_ socket: Socket, endpoint: String) throws {
        let authenticator = try socket.context.authenticator()
        let domain = "karez-\(endpoint)"
        authenticator.register(domain: domain) { [self] request in decide(request, endpoint: endpoint) }
        try socket.set(.curveServer(secretKey: keyPair.secretKey))
        try socket.set(.zapDomain(domain))
    }

    /// Refused connection attempts per endpoint so far.
    public var refusedCounts: [String: Int] { refusals.withLock { $0.counts } }

    func decide(_ request: ZAPRequest, endpoint: String) -> ZAPDecision {
        if let key = request.publicKey, trusted.contains(key) || allowed[endpoint, default: []].contains(where: { $0.name(of: key) != nil }) {
            return .allow(userID: key.z85)
        }
        let fingerprint = request.publicKey?.fingerprint ?? "none"
        let first = refusals.withLock { r in
            r.counts[endpoint, default: 0] += 1
            if r.logged.count > 10_000 { r.logged.removeAll() }
            return r.logged.insert("\(request.address) \(fingerprint)").inserted
        }
        if first {
            logger.warning("refused a connection: key not allowed", metadata: [
                "endpoint": "\(endpoint)", "peer": "\(request.address)", "key": "\(fingerprint)",
            ])
        }
        return .deny("key not allowed")
    }

    /// The name of an allowed key in one of the folders of `endpoint` (for logs and lists).
    public func name(of userID: String, endpoint: String) -> String? {
        guard let key = try? CurveKey(z85: userID) else { return nil }
        return allowed[endpoint, default: []].lazy.compactMap { $0.name(of: key) }.first
    }
}
