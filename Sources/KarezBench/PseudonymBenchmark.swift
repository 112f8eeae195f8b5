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

    /// Pseudonyms per second with `HMAC<SHA256>` over `domain 0x00 value` (the key's blocks
    /// hashed for each one), hex of the first 12 bytes written as the pseudonymiser writes it.
    public func plainHMAC(seconds: Double) -> Double {
        let symmetric = SymmetricKey(data: key)
        return rate(seconds) { plain($0, symmetric).utf8.count }
    }

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private func plain(_ value: String, _ symmetric: SymmetricKey) -> String {
        var h = HMAC<SHA256>(key: symmetric)
        var d = "national_id", v = value
        d.withUTF8 { h.update(data: UnsafeRawBufferPointer($0)) }
        withUnsafeBytes(of: UInt8(0)) { h.update(data: $0) }
        v.withUTF8 { h.update(data: UnsafeRawBufferPointer($0)) }
        return h.finalize().withUnsafeBytes { bytes in
            String(unsafeUninitializedCapacity: 24) { out in
                for i in 0..<12 {
                    out[2 * i] = Self.hexDigits[Int(bytes[i] >> 4)]
                    out[2 * i + 1] = Self.hexDigits[Int(bytes[i] & 0xF)]
                }
                return 24
            }
        }
    }

    /// Both give the same pseudonym (checked before measuring).
    public func agree() throws -> Bool {
        let p = try Pseudonymizer(key: key)
        let symmetric = SymmetricKey(data: key)
        return values.prefix(64).allSatisfy { p.pseudonym($0, domain: "national_id") == plain($0, symmetric) }
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
