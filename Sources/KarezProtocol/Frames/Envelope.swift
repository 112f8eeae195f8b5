/// Checks and errors shared by every command decoder.
enum Envelope {
    /// Versions this implementation speaks, for `unsupported_version` errors.
    static let supported = "KZ1"

    static func checkTag(_ f: some FrameList) -> ErrorBody? {
        guard f.frameCount >= 2 else {
            return badFrame("a message needs at least the tag KZ1 and a command; got \(f.frameCount) frame\(f.frameCount == 1 ? "" : "s")")
        }
        guard f.frame(0, equals: "KZ1") else {
            let tag = f.frame(0)
            let shown = String(decoding: tag.prefix(16), as: UTF8.self)
            // Only a tag of the KZ family is another protocol version; anything else is no tag.
            guard tag.count >= 2, tag[0] == UInt8(ascii: "K"), tag[1] == UInt8(ascii: "Z") else {
                return badFrame("frame 0 must be the protocol tag KZ1; got \"\(shown)\"")
            }
            return ErrorBody(code: "unsupported_version", message: "protocol tag \"\(shown)\" is not supported; this peer speaks \(supported)")
        }
        return nil
    }

    static func badFrame(_ message: String) -> ErrorBody { ErrorBody(code: "bad_frame", message: message) }

    /// `error` naming the message it refuses: its command, when readable, and for `PUB`/`PUBW`
    /// the id frames that are UTF-8 (at most 1000), so a peer with many messages in flight can
    /// tell which one was refused (PROTOCOL.md 2.4).
    static func naming(_ error: ErrorBody, _ f: some FrameList) -> ErrorBody {
        // A command is at most 32 bytes: a longer frame is never made text (it may be 16 MiB).
        guard f.frameCount >= 2, f.frame(1).count <= 32 else { return error }
        var named = error
        let command = f.text(1)
        guard Patterns.isCommand(command) else { return named }
        named.command = command
        if ["PUB", "PUBW", "PUBX", "PUBXW"].contains(command) {
            // Only id frames of an id's length: replies must not grow with what a peer sends.
            let per = command.hasPrefix("PUBX") ? 4 : 3
            let ids = stride(from: 2, to: min(f.frameCount, 2 + per * 1000), by: per).compactMap { i -> String? in
                let frame = f.frame(i)
                return frame.count <= PublishedItem.maxIDBytes && JSONBytes.isValidUTF8(frame) ? String(decoding: frame, as: UTF8.self) : nil
            }
            if !ids.isEmpty { named.ids = ids }
        }
        return named
    }

    static func unknownCommand(_ f: some FrameList, known: String) -> ErrorBody {
        let shown = String(decoding: f.frame(1).prefix(16), as: UTF8.self)
        return ErrorBody(code: "unknown_command", message: "unknown command \"\(shown)\" here; expected one of \(known)")
    }

    static func body<T: SchemaBody>(_ f: some FrameList, _ index: Int, _ type: T.Type) -> Result<T, ErrorBody> {
        T.decode(bytes: f.frame(index), received: true)
    }

    static func errorBody(_ f: some FrameList, _ index: Int) -> Result<ErrorBody, ErrorBody> {
        body(f, index, ErrorBodySchema.self).map(\.body)
    }
}

extension ErrorBody {
    /// This error naming the command of a message dropped over the limits (PROTOCOL.md 2.4, 9):
    /// its command frame (for a `PACK`, the packed command), and no ids: no item of it was read,
    /// and every one was refused.
    /// Without the command's frame (a message's first frames are kept, the rest dropped), none.
    public func namingCommand(of f: some FrameList) -> ErrorBody {
        guard f.frameCount >= 2 else { return self }
        let at = f.frame(1, equals: "PACK") ? 2 : 1
        // A command is at most 32 bytes: a longer frame is never made text (it may be 16 MiB).
        guard f.frameCount > at, f.frame(at).count <= 32 else { return self }
        let command = f.text(at)
        guard Patterns.isCommand(command) else { return self }
        var named = self
        named.command = command
        return named
    }
}
