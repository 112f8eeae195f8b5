import Testing
import KarezProtocol

/// Inputs the fuzzers (`make fuzz`, scripts/fuzz.sh, Sources/KarezFuzz) found, as regression
/// vectors: each goes to the decoder it broke, which must answer with a value or an error instead
/// of trapping. Each vector runs in a child process (an exit test), so a decoder that traps fails
/// that test instead of ending the whole test run.
///
/// A vector is the fuzz input exactly as libFuzzer saved it; the frame targets split it into
/// frames at each byte 0x1E (`\u{1E}` below), as ``frames(_:)`` does.
@Suite("Fuzz regressions: inputs the fuzzers found are answered, not trapped on")
struct FuzzRegressionTests {
    /// The frames of a fuzz input: split at every 0x1E, so `n` separators give `n + 1` frames
    /// (KarezFuzz's `FuzzFrames`).
    static func frames(_ input: String) -> ByteFrames {
        ByteFrames(Array(input.utf8).split(separator: 0x1E, omittingEmptySubsequences: false).map(Array.init))
    }

    /// `KZ1 BUSY 18446744073419103232 ""` (target `front`, libFuzzer crash-ad4b9915df…, already
    /// minimal at 30 bytes): a retry_after_ms that is a valid frame number (at most 20 digits, fits
    /// in 64 bits) but above `Int.max` trapped in `FrontReply.idListHeader` converting it with
    /// `Int(ms)`. A client decodes every broker reply with it.
    @Test func busyRetryAfterAboveIntMax() async {
        await #expect(processExitsWith: .success) {
            let frames = FuzzRegressionTests.frames("KZ1\u{1E}BUSY\u{1E}18446744073419103232\u{1E}")
            _ = FrontReply.idListHeader(frames)
            _ = FrontReply.decode(frames)
        }
    }

    /// `KZ1 JOB 0 "" "" 9223372036855775807 ""` (target `back`, libFuzzer crash-334cd7f67a…,
    /// minimised from 60 to 32 bytes): an attempt that is a valid frame number but above `Int.max`
    /// trapped in `BrokerMessage.decode` converting it with `Int(a)`. A worker decodes every
    /// broker message with it.
    @Test func jobAttemptAboveIntMax() async {
        await #expect(processExitsWith: .success) {
            _ = BrokerMessage.decode(FuzzRegressionTests.frames("KZ1\u{1E}JOB\u{1E}0\u{1E}\u{1E}\u{1E}9223372036855775807\u{1E}"))
        }
    }
}
