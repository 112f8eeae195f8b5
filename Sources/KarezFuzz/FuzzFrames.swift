import Foundation
import KarezProtocol

/// The frames of a fuzz input: the input split at every byte ``separator`` (0x1E, ASCII record
/// separator), so `n` separators give `n + 1` frames (an empty input is one empty frame). Frames
/// therefore never contain 0x1E; everything else, invalid UTF-8 and 0x00 included, gets through.
///
/// Each frame is copied into its own allocation of exactly its size (`malloc(0)` for an empty
/// one), so AddressSanitizer reports a decoder that reads past the end of a frame, as it would
/// read past the end of a ZeroMQ message.
final class FuzzFrames: FrameList {
    static let separator: UInt8 = 0x1E

    private let storage: [UnsafeRawBufferPointer]

    init(splitting input: UnsafeRawBufferPointer) {
        var frames: [UnsafeRawBufferPointer] = []
        var start = 0
        for i in 0...input.count where i == input.count || input[i] == Self.separator {
            let count = i - start
            let memory = malloc(count)!
            if count > 0 { memory.copyMemory(from: input.baseAddress! + start, byteCount: count) }
            frames.append(UnsafeRawBufferPointer(start: memory, count: count))
            start = i + 1
        }
        storage = frames
    }

    /// Frames given as arrays (to decode re-encoded messages again).
    init(_ frames: [[UInt8]]) {
        storage = frames.map { frame in
            let memory = malloc(frame.count)!
            frame.withUnsafeBytes { if $0.count > 0 { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) } }
            return UnsafeRawBufferPointer(start: memory, count: frame.count)
        }
    }

    deinit { for frame in storage { free(UnsafeMutableRawPointer(mutating: frame.baseAddress)) } }

    var frameCount: Int { storage.count }
    func frame(_ index: Int) -> UnsafeRawBufferPointer { storage[index] }

    /// True when every frame is UTF-8: decoded text frames then come back byte for byte when a
    /// decoded message is encoded again (invalid UTF-8 is replaced when frames are read as text).
    var allUTF8: Bool { storage.allSatisfy { String(validating: $0, as: UTF8.self) != nil } }
}
