import Foundation
import Synchronization
import Testing
@testable import ZeroMQ

/// The ZAP requests a policy was asked about, in order; ``next(within:)`` waits for one.
private final class Requests: Sendable {
    private let seen = Mutex<[ZAPRequest]>([])
    private let arrived = DispatchSemaphore(value: 0)

    func record(_ request: ZAPRequest) {
        seen.withLock { $0.append(request) }
        arrived.signal()
    }

    var all: [ZAPRequest] { seen.withLock { $0 } }

    /// Waits for the next request the policy is asked about; nil when none comes in time.
    func next(within seconds: Double) -> ZAPRequest? {
        let before = seen.withLock { $0.count }
        guard arrived.wait(timeout: .now() + seconds) == .success else { return nil }
        return seen.withLock { $0.count > before ? $0[before] : $0.last }
    }
}

/// A ROUTER CURVE server over TCP on a kernel-chosen port whose ZAP policy allows one key.
private struct Server {
    let context: Context
    let router: Socket
    let endpoint: String
    let keys: CurveKeyPair
    let requests = Requests()

    init(allowing allowed: CurveKey) throws {
        context = try Context()
        keys = try CurveKeyPair.generate()
        let requests = self.requests
        try context.authenticator().register(domain: "karez-test") { request in
            requests.record(request)
            guard let key = request.publicKey, key == allowed else { return .deny("key not allowed") }
            return .allow(userID: key.z85)
        }
        router = try Socket(context, .router)
        try router.set(.curveServer(secretKey: keys.secretKey))
        try router.set(.zapDomain("karez-test"))
        try router.set(.receiveTimeout(.seconds(2)))
        try router.bind("tcp://127.0.0.1:*")
        endpoint = try router.lastEndpoint()
    }

    /// A DEALER connected to the server, with CURVE keys or in plain text, that sent `text`.
    func client(_ keys: CurveKeyPair?, sending text: String) throws -> Socket {
        let dealer = try Socket(context, .dealer)
        if let keys { try dealer.set(.curveClient(serverKey: self.keys.publicKey, keyPair: keys)) }
        try dealer.connect(endpoint)
        try dealer.send(text)
        return dealer
    }

    /// Closes the server and ends the context's ZAP thread.
    func stop() {
        router.close()
        context.shutdown()
    }
}

@Suite("CURVE with the ZAP authenticator over TCP", .enabled(if: Context.hasCurve))
struct CurveAuthenticatorTests {
    @Test func theAllowedKeysMessageArrivesWithItsKeyAsUserId() throws {
        let allowed = try CurveKeyPair.generate()
        let server = try Server(allowing: allowed.publicKey)
        defer { server.stop() }
        let client = try server.client(allowed, sending: "hello")
        defer { client.close() }
        let m = Multipart()
        #expect(try server.router.receive(into: m))
        #expect(m.count == 2)
        guard m.count == 2 else { return }
        #expect(m[1].string == "hello")
        #expect(m[1].property("User-Id") == allowed.publicKey.z85)
        let request = try #require(server.requests.all.first)
        #expect(request.domain == "karez-test")
        #expect(request.mechanism == "CURVE")
        #expect(request.address == "127.0.0.1")
        #expect(request.publicKey == allowed.publicKey)
    }

    @Test func anotherKeyGetsNothingThrough() throws {
        let allowed = try CurveKeyPair.generate(), other = try CurveKeyPair.generate()
        let server = try Server(allowing: allowed.publicKey)
        defer { server.stop() }
        let intruder = try server.client(other, sending: "intruder")
        defer { intruder.close() }
        // The policy is asked about the other key: the handshake got as far as ZAP and was refused.
        let request = try #require(server.requests.next(within: 2))
        #expect(request.publicKey == other.publicKey)
        #expect(try server.router.receive(into: Multipart(), wait: false) == false)
        // An allowed client connecting afterwards is served, and only it.
        let client = try server.client(allowed, sending: "hello")
        defer { client.close() }
        try expectOnlyHello(from: allowed, at: server)
    }

    @Test func aPlainTextClientGetsNothingAndTheServerStillServes() throws {
        let allowed = try CurveKeyPair.generate()
        let server = try Server(allowing: allowed.publicKey)
        defer { server.stop() }
        let plain = try server.client(nil, sending: "plain")
        defer { plain.close() }
        let client = try server.client(allowed, sending: "hello")
        defer { client.close() }
        try expectOnlyHello(from: allowed, at: server)
        // A plain-text peer never reaches the policy: only CURVE clients with a key were asked about.
        #expect(server.requests.all.allSatisfy { $0.mechanism == "CURVE" && $0.publicKey != nil })
    }

    @Test func keysConvertBetweenZ85RawAndTheirPair() throws {
        let pair = try CurveKeyPair.generate()
        #expect(pair.publicKey.z85.utf8.count == 40)
        #expect(pair.publicKey.raw.count == 32)
        #expect(CurveKey(raw: pair.publicKey.raw) == pair.publicKey)
        #expect(CurveKey(raw: Array(pair.publicKey.raw.prefix(31))) == nil)
        #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
        #expect(try CurveKeyPair.generate().publicKey != pair.publicKey)
        let fingerprint = pair.publicKey.fingerprint
        #expect(fingerprint == pair.publicKey.raw.prefix(8).map { String(format: "%02x", $0) }.joined())
        #expect(!fingerprint.contains(pair.publicKey.z85))
        #expect(throws: ZMQError.self) { try CurveKey(z85: "too short") }
    }

    @Test func aDomainWithoutAPolicyAndAMalformedRequestAreRefused() throws {
        let context = try Context()
        defer { context.shutdown() }
        let authenticator = try context.authenticator()
        #expect(try context.authenticator() === authenticator)
        let key = try CurveKeyPair.generate().publicKey
        let request: [[UInt8]] = [Array("1.0".utf8), Array("7".utf8), Array("nobody".utf8), Array("10.0.0.1".utf8), [],
                                  Array("CURVE".utf8), key.raw]
        let reply = authenticator.answer(request)
        #expect(reply.count == 6)
        #expect(reply[1] == Array("7".utf8))
        #expect(reply[2] == Array("400".utf8))
        #expect(reply[4].isEmpty)
        authenticator.register(domain: "nobody") { .allow(userID: $0.publicKey?.z85 ?? "") }
        #expect(authenticator.answer(request)[2] == Array("200".utf8))
        #expect(authenticator.answer(request)[4] == Array(key.z85.utf8))
        #expect(authenticator.answer([Array("2.0".utf8), Array("8".utf8)])[2] == Array("500".utf8))
    }

    /// The server received exactly one message, "hello", carrying the allowed key as its User-Id.
    private func expectOnlyHello(from allowed: CurveKeyPair, at server: Server) throws {
        let m = Multipart()
        #expect(try server.router.receive(into: m))
        #expect(m.count == 2 && m[1].string == "hello")
        #expect(m.count == 2 && m[1].property("User-Id") == allowed.publicKey.z85)
        #expect(try server.router.receive(into: m, wait: false) == false)
    }
}
