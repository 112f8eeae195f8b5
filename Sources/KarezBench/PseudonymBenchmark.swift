import Crypto
import KarezDomain

/// The pseudonymiser's HMAC-SHA-256 with the key's two blocks hashed once (``Pseudonymizer``)
/// against swift-crypto's `HMAC<SHA256>` computed whole for each pseudonym, on the same values.
public struct PseudonymBenchmark: Sendable {
    let key = Array("karez-pseudonym-benchmark-key-0123456789".utf8)
    /// National-ID-like values, as the patient kind pseudonymises.
    let values = (0..<4096).map { String(format: "6504021978%04d%03d", $0 % 10_000, $0 % 1000) + "X" }

    public init() {}

    /// Pseudonyms per second with the precomputed key state.
    public func precomputed(seconds: Double) throws -> Double {
        let p = try Pseudonymizer(key: key)
        return rate(seconds) { p.pseudonym($0, domain: "national_id").utf8.count }
    }

    /// Pseudonyms per second with `HMAC<SHA256>` over `domain 0x00 value`, hex of the first 12 bytes.
    public func plainHMAC(seconds: Double) -> Double {
        let symmetric = SymmetricKey(data: key)
        return rate(seconds) { value in
            var message = Array("national_id".utf8)
            message.append(0)
            message += Array(value.utf8)
            return HMAC<SHA256>.authenticationCode(for: message, using: symmetric).prefix(12).map { String(format: "%02x", $0) }.joined().utf8.count
        }
    }

    /// Both give the same pseudonym (checked before measuring).
    public func agree() throws -> Bool {
        let p = try Pseudonymizer(key: key)
        let symmetric = SymmetricKey(data: key)
        return values.prefix(64).allSatisfy { value in
            var message = Array("national_id".utf8)
            message.append(0)
            message += Array(value.utf8)
            let plain = HMAC<SHA256>.authenticationCode(for: message, using: symmetric).prefix(12).map { String(format: "%02x", $0) }.joined()
            return p.pseudonym(value, domain: "national_id") == plain
        }
    }

    private func rate(_ seconds: Double, _ body: (String) -> Int) -> Double {
        var done = 0, sink = 0
        let start = ContinuousClock.now
        let limit = Duration.milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now - start < limit {
            for v in values { sink &+= body(v) }
            done += values.count
        }
        precondition(sink > 0)
        let (s, a) = (ContinuousClock.now - start).components
        return Double(done) / (Double(s) + Double(a) / 1e18)
    }
}
