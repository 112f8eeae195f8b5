/// `KZ1 PACK command packed` (PROTOCOL.md 2.5): one message whose frames after the command
/// travel as the fields of a single frame, so a batch of items costs ZeroMQ one frame instead of
/// three to six per item.
///
/// A packed frame is a sequence of fields, each a 4-byte unsigned big-endian length followed by
/// that many bytes; the fields are, in order, the frames the command takes after its name.
public enum Pack {
    /// The commands that may be packed: the batch commands, whose frames grow with the items.
    public static let commands: [StaticString] = ["PUB", "PUBW", "PUBX", "PUBXW", "ACK", "DUP", "BUSY", "FIN", "JOB", "JOBX", "DONE", "EXTEND"]
    static let longestCommand = commands.map(\.utf8CodeUnitCount).max()!
    static let commandNames = commands.map { "\($0)" }.sorted().joined(separator: ", ")
    /// The `accepts` entry of a worker's `HELLO` that asks the broker for packed `JOB`s.
    public static let accepts = "PACK"
    /// Bytes of a field's length prefix.
    public static let prefixBytes = 4
    /// Most fields of one packed frame: a `JOBX` of 1000 jobs and 16 to spare.
    public static let maxFields = 6 * 1000 + 16

    /// True when `f` is a `KZ1 PACK …` message.
    public static func isPacked(_ f: some FrameList) -> Bool { f.frameCount >= 2 && f.frame(1, equals: "PACK") }

    /// The frames of the packed command, as if it had been sent unpacked: `KZ1 command fields…`;
    /// or why the message is not a well-formed `PACK`.
    public static func unpack<F: FrameList>(_ f: F) -> Result<Unpacked<F>, ErrorBody> {
        guard f.frameCount == 4 else {
            return .failure(Envelope.badFrame("PACK takes a command and one packed frame, got \(f.frameCount - 2) frames"))
        }
        // The command frame is compared as bytes (never made text whole: it may be 16 MiB).
        let commandFrame = f.frame(2)
        if f.frame(2, equals: "PACK") { return .failure(Envelope.badFrame("PACK cannot carry PACK: it is never nested")) }
        guard commandFrame.count <= longestCommand, commands.contains(where: { f.frame(2, equals: $0) }) else {
            // Named after the packed command: an `unknown_command` naming `PACK` itself comes only
            // from a peer that does not know `PACK` (PROTOCOL.md 2.5).
            let shown = String(decoding: commandFrame.prefix(16), as: UTF8.self)
            var error = ErrorBody(code: "unknown_command", message: "PACK cannot carry \"\(shown)\"; it packs \(commandNames)")
            if commandFrame.count <= 32 {
                let text = String(decoding: commandFrame, as: UTF8.self)
                error.command = Patterns.isCommand(text) ? text : nil
            }
            return .failure(error)
        }
        // Two passes over the length prefixes: the first checks them and counts the fields, the
        // second fills an array of exactly that many.
        let packed = f.frame(3)
        var n = 0, at = 0
        while at < packed.count {
            guard n < maxFields else {
                return .failure(Envelope.badFrame("PACK holds more than \(maxFields) fields; send fewer per message"))
            }
            guard packed.count - at >= prefixBytes else {
                return .failure(Envelope.badFrame("PACK field \(n) has a cut length: \(packed.count - at) bytes left at offset \(at), 4 needed"))
            }
            let length = Self.length(packed, at)
            guard length <= packed.count - at - prefixBytes else {
                return .failure(Envelope.badFrame("PACK field \(n) of \(length) bytes at offset \(at) runs past the frame's end (\(packed.count) bytes)"))
            }
            at += prefixBytes + length
            n += 1
        }
        let fields = [Range<Int>](unsafeUninitializedCapacity: n) { buffer, count in
            var at = 0
            for i in 0..<n {
                let start = at + prefixBytes
                at = start + Self.length(packed, at)
                buffer[i] = start..<at
            }
            count = n
        }
        return .success(Unpacked(base: f, packed: packed, fields: fields))
    }

    /// The big-endian length prefix at `at`.
    @inline(__always) static func length(_ packed: UnsafeRawBufferPointer, _ at: Int) -> Int {
        Int(UInt32(bigEndian: packed.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
    }

    /// The number of fields of a well-formed `PACK` message's packed frame (counted without
    /// reading them); nil for any other message.
    public static func fieldCount(_ f: some FrameList) -> Int? {
        guard isPacked(f), f.frameCount == 4 else { return nil }
        let packed = f.frame(3)
        var (n, at) = (0, 0)
        while packed.count - at >= prefixBytes {
            at += prefixBytes + length(packed, at)
            n += 1
            if n > maxFields { return nil }
        }
        return at == packed.count ? n : nil
    }

    /// An error of ``unpack(_:)`` naming the message it refuses: a malformed `PACK` is named
    /// `PACK`; a command it cannot carry keeps its own name (or none), so that `unknown_command`
    /// naming `PACK` comes only from peers that do not know `PACK`.
    static func naming(_ error: ErrorBody, _ f: some FrameList) -> ErrorBody {
        error.errors.first?.code == "bad_frame" ? Envelope.naming(error, f) : error
    }

    /// A received message as its command's frames: unpacked when it is a `PACK`, as it is
    /// otherwise.
    public static func read<F: FrameList>(_ f: F) -> Result<Unpacked<F>, ErrorBody> {
        isPacked(f) ? unpack(f) : .success(Unpacked(base: f, packed: nil, fields: nil))
    }

    /// The frames of a `PACK` message as the command's own: frame 0 the tag, frame 1 the packed
    /// command, then one frame per field (a message that is not packed: its own frames). Valid
    /// while the message it views is.
    public struct Unpacked<Base: FrameList>: FrameList {
        let base: Base
        /// The packed frame (nil when the message is not packed), valid while the message is.
        let packed: UnsafeRawBufferPointer?
        /// Where each field lies in the packed frame; nil when the message is not packed.
        let fields: [Range<Int>]?

        public var frameCount: Int { fields.map { 2 + $0.count } ?? base.frameCount }

        public func frame(_ index: Int) -> UnsafeRawBufferPointer {
            guard let fields, let packed else { return base.frame(index) }
            switch index {
            case 0: return base.frame(0)
            case 1: return base.frame(2)
            default: return UnsafeRawBufferPointer(rebasing: packed[fields[index - 2]])
            }
        }
    }
}

/// Writes a message packed: its tag, then `PACK`, its command, and every later frame as one
/// field of a single packed frame.
public struct Packed<Message: FrameWritable>: FrameWritable {
    public let message: Message
    /// Bytes to reserve for the packed frame at once (0: it grows as it fills, copying itself
    /// at each doubling).
    public let capacity: Int

    public init(_ message: Message, capacity: Int = 0) { (self.message, self.capacity) = (message, capacity) }

    public func write(to sink: inout some FrameSink) throws {
        var packing = PackingSink()
        packing.packed.reserveCapacity(capacity)
        try message.write(to: &packing)
        guard packing.frames >= 2 else { return }
        try sink.put(bytes: packing.tag)
        try sink.put("PACK")
        try sink.put(bytes: packing.command)
        try sink.put(bytes: packing.packed, last: true)
    }
}

/// Collects a message's frames for ``Packed``: the first two as they are, the rest as fields.
struct PackingSink: FrameSink {
    var tag: [UInt8] = [], command: [UInt8] = [], packed: [UInt8] = []
    var frames = 0

    mutating func put(_ bytes: UnsafeRawBufferPointer, last: Bool) throws {
        defer { frames += 1 }
        switch frames {
        case 0: tag = Array(bytes)
        case 1: command = Array(bytes)
        default:
            if packed.isEmpty { packed.reserveCapacity(4096) }
            let n = UInt32(bytes.count)
            packed.append(UInt8(n >> 24))
            packed.append(UInt8(n >> 16 & 0xFF))
            packed.append(UInt8(n >> 8 & 0xFF))
            packed.append(UInt8(n & 0xFF))
            packed.append(contentsOf: bytes)
        }
    }
}
