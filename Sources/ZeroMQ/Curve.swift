import CZeroMQ

/// A CURVE key in Z85 text form (40 characters encoding 32 bytes).
public struct CurveKey: Sendable, Hashable, CustomStringConvertible {
    /// The 40-character Z85 text.
    public let z85: String

    /// Validates a Z85 key; throws a precise error when it is not one.
    public init(z85: String) throws {
        let bytes = Array(z85.utf8)
        guard bytes.count == 40 else {
            throw ZMQError(code: EINVAL, operation: "CURVE key must be 40 Z85 characters, got \(bytes.count)")
        }
        var decoded = [UInt8](repeating: 0, count: 32)
        guard zmq_z85_decode(&decoded, z85) != nil else {
            throw ZMQError(code: EINVAL, operation: "CURVE key is not valid Z85 text")
        }
        self.z85 = z85
    }

    /// The key from its 32 raw bytes (as a ZAP request carries it).
    public init?(raw: [UInt8]) {
        guard raw.count == 32 else { return nil }
        var text = [CChar](repeating: 0, count: 41)
        guard zmq_z85_encode(&text, raw, 32) != nil else { return nil }
        self.z85 = String(decoding: text.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The 32 raw bytes.
    public var raw: [UInt8] {
        var decoded = [UInt8](repeating: 0, count: 32)
        _ = zmq_z85_decode(&decoded, z85)
        return decoded
    }

    /// A short name for logs: the first 8 bytes in hex. It identifies a public key without
    /// repeating it whole (a secret key is never printed).
    public var fingerprint: String {
        raw.prefix(8).map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    public var description: String { z85 }
}

/// A CURVE public/secret key pair.
public struct CurveKeyPair: Sendable, Hashable {
    public let publicKey: CurveKey
    public let secretKey: CurveKey

    public init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// The pair of a secret key (`zmq_curve_public` derives the public half).
    public init(secretKey: CurveKey) throws {
        var pub = [CChar](repeating: 0, count: 41)
        guard zmq_curve_public(&pub, secretKey.z85) == 0 else { throw ZMQError.last("zmq_curve_public") }
        self.init(publicKey: try CurveKey(z85: Self.text(pub)), secretKey: secretKey)
    }

    /// Generates a new key pair with libzmq's `zmq_curve_keypair`.
    public static func generate() throws -> CurveKeyPair {
        var pub = [CChar](repeating: 0, count: 41)
        var sec = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&pub, &sec) == 0 else { throw ZMQError.last("zmq_curve_keypair") }
        return CurveKeyPair(
            publicKey: try CurveKey(z85: text(pub)),
            secretKey: try CurveKey(z85: text(sec)))
    }

    private static func text(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
