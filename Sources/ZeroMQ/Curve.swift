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
