import Testing
@testable import KarezProtocol

/// The broker's UTF-8 check (every published body passes it) agrees with the standard library's
/// decoder on well-formed text, on every kind of malformed sequence, and on each cut of both.
@Suite("UTF-8 check: agrees with the standard library, also inside runs of Chinese text")
struct UTF8CheckTests {
    static func check(_ bytes: [UInt8]) -> Bool { bytes.withUnsafeBytes { JSONBytes.isValidUTF8($0) } }
    static func reference(_ bytes: [UInt8]) -> Bool { String(validating: bytes, as: UTF8.self) != nil }

    /// Sequences that end a run of three-byte characters: each boundary case of the lead bytes
    /// E0, ED, EF and F0–F4, surrogates, overlongs, stray continuations and cut characters.
    static let awkward: [[UInt8]] = [
        [0xE0, 0xA0, 0x80], [0xE0, 0x9F, 0xBF], [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF],
        [0xE1, 0x80], [0xE4, 0xB8], [0xE4, 0x41, 0x80], [0xE4, 0x80, 0x41], [0xE4, 0xC0, 0x80],
        [0xC0, 0x80], [0xC2, 0x80], [0xDF, 0xBF], [0x80], [0xBF], [0xF0, 0x90, 0x80, 0x80], [0xF0, 0x8F, 0xBF, 0xBF],
        [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0x41], [0x00],
    ]

    @Test func everyAwkwardSequenceAfterARunOfChineseIsJudgedAsTheStandardLibraryDoes() {
        let han = Array("二二一团职工医院接诊病人".utf8)
        for prefixLength in 0...6 {
            let run = Array(han.prefix(prefixLength * 3))
            for tail in Self.awkward {
                for suffix in [[], [0x41], Array("院".utf8), [0x41, 0x42, 0x43, 0x44]] as [[UInt8]] {
                    let bytes = run + tail + suffix
                    #expect(Self.check(bytes) == Self.reference(bytes), "\(bytes.map { String($0, radix: 16) })")
                }
            }
        }
    }

    @Test func everyCutOfChineseTextIsJudgedAsTheStandardLibraryDoes() {
        let text = Array("新疆兵团第十二师二二一团 — 湖南援疆 723 例 😀 ok".utf8)
        for end in 0...text.count {
            for start in 0...min(end, 8) {
                let bytes = Array(text[start..<end])
                #expect(Self.check(bytes) == Self.reference(bytes), "bytes \(start)..<\(end)")
            }
        }
    }

    @Test func randomBytesBiasedToThreeByteCharactersAgree() {
        var rng = SystemRandomNumberGenerator()
        let leads: [UInt8] = [0xE0, 0xE1, 0xE4, 0xE9, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF4, 0xC2, 0x41, 0x80, 0xBF]
        for _ in 0..<20_000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int.random(in: 0...24, using: &rng) {
                if Bool.random(using: &rng) {
                    bytes += [0xE4 + UInt8.random(in: 0...5, using: &rng), UInt8.random(in: 0x80...0xBF, using: &rng), UInt8.random(in: 0x80...0xBF, using: &rng)]
                } else {
                    bytes.append(Bool.random(using: &rng) ? leads.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng))
                }
            }
            #expect(Self.check(bytes) == Self.reference(bytes), "\(bytes.map { String($0, radix: 16) })")
        }
    }
}
