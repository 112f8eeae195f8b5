import Crypto
import Foundation

/// Replaces personal identifiers with keyed pseudonyms (HMAC-SHA-256), so the same person always
/// gets the same pseudonym while the name and ID cannot be recovered without the key.
public struct Pseudonymizer: Sendable {
    /// SHA-256 after absorbing key XOR ipad / opad (RFC 2104): HMAC-SHA-256 with the key's two
    /// blocks hashed once, not per pseudonym. Tested against RFC 4231 and swift-crypto's
    /// `HMAC<SHA256>` (PseudonymizerTests).
    private nonisolated(unsafe) let inner: SHA256
    private nonisolated(unsafe) let outer: SHA256
    private static func pads(_ key: [UInt8]) -> (SHA256, SHA256) {
        var k = key.count > 64 ? Array(SHA256.hash(data: key)) : key
        k += [UInt8](repeating: 0, count: 64 - k.count)
        var i = SHA256(), o = SHA256()
        i.update(data: k.map { $0 ^ 0x36 })
        o.update(data: k.map { $0 ^ 0x5C })
        return (i, o)
    }
    /// True when the key is the built-in development key (refused in production mode).
    public let isDevelopmentKey: Bool

    /// Where a key comes from, in the order ``load(environment:production:)`` tries them.
    public static let keyEnvironmentVariable = "KAREZ_PSEUDONYM_KEY"
    public static let keyFileEnvironmentVariable = "KAREZ_PSEUDONYM_KEY_FILE"

    /// A pseudonymiser with the given secret key bytes (at least 16).
    public init(key: [UInt8]) throws {
        guard key.count >= 16 else { throw PseudonymKeyError.tooShort(key.count) }
        self.init(unchecked: key, development: false)
    }

    /// Any key, also shorter than 16 bytes (the RFC 4231 vectors have one of 4 bytes).
    init(unchecked key: [UInt8], development: Bool = false) {
        (inner, outer) = Self.pads(key)
        isDevelopmentKey = development
    }

    private init(developmentKey: [UInt8]) {
        self.init(unchecked: developmentKey, development: true)
    }

    /// HMAC-SHA-256 of `message` under the key (the whole 32 bytes).
    func mac(_ message: [UInt8]) -> [UInt8] {
        var h = inner
        h.update(data: message)
        var o = outer
        h.finalize().withUnsafeBytes { o.update(bufferPointer: $0) }
        return Array(o.finalize())
    }

    /// A fixed, published key for tests and local trials: pseudonyms made with it are
    /// reversible by anyone. Only used when asked for (`--dev-key`).
    public static let development = Pseudonymizer(developmentKey: Array("karez-development-key-not-secret".utf8))

    /// The key from `KAREZ_PSEUDONYM_KEY` (text) or the file named by `KAREZ_PSEUDONYM_KEY_FILE`;
    /// without either, the development key if `allowDevelopmentKey` (`--dev-key`), else an error.
    public static func load(environment: [String: String] = ProcessInfo.processInfo.environment, allowDevelopmentKey: Bool) throws -> Pseudonymizer {
        if let text = environment[keyEnvironmentVariable], !text.isEmpty { return try Pseudonymizer(key: Array(text.utf8)) }
        if let path = environment[keyFileEnvironmentVariable], !path.isEmpty {
            guard let data = FileManager.default.contents(atPath: path) else { throw PseudonymKeyError.unreadableFile(path) }
            var bytes = Array(data)
            while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
            return try Pseudonymizer(key: bytes)
        }
        if !allowDevelopmentKey { throw PseudonymKeyError.missing }
        return .development
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The pseudonym of a value within a domain (`"name"`, `"national_id"`): 24 hex characters
    /// (96 bits of HMAC-SHA-256), stable for a key.
    public func pseudonym(_ value: String, domain: String) -> String {
        var h = inner
        var d = domain
        d.withUTF8 { h.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0)) { h.update(bufferPointer: $0) }
        var v = value
        v.withUTF8 { h.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        var o = outer
        h.finalize().withUnsafeBytes { o.update(bufferPointer: $0) }
        return o.finalize().withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 24) { out in
                for i in 0..<12 {
                    let byte = bytes[i]
                    out[2 * i] = Self.hexDigits[Int(byte >> 4)]
                    out[2 * i + 1] = Self.hexDigits[Int(byte & 0xF)]
                }
                return 24
            }
        }
    }
}

/// Why no pseudonymisation key could be had.
public enum PseudonymKeyError: Error, CustomStringConvertible, Equatable {
    case tooShort(Int)
    case unreadableFile(String)
    case missing

    public var description: String {
        switch self {
        case .tooShort(let n): "the pseudonymisation key must be at least 16 bytes, got \(n)"
        case .unreadableFile(let p): "cannot read the pseudonymisation key file \(p) (\(Pseudonymizer.keyFileEnvironmentVariable))"
        case .missing:
            "no pseudonymisation key: set \(Pseudonymizer.keyFileEnvironmentVariable) to a file of at least 16 secret bytes (head -c 32 /dev/urandom > pseudonym.key; chmod 600 pseudonym.key) or \(Pseudonymizer.keyEnvironmentVariable); --dev-key uses the published development key (pseudonyms then reversible: trials only)"
        }
    }
}
