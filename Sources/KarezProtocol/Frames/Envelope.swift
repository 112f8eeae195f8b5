/// Checks and errors shared by every command decoder.
enum Envelope {
    /// Versions this implementation speaks, for `unsupported_version` errors.
    static let supported = "KZ1"

    static func checkTag(_ f: some FrameList) -> ErrorBody? {
        guard f.frameCount >= 2 else {
            return badFrame("a message needs at least the tag KZ1 and a command; got \(f.frameCount) frame\(f.frameCount == 1 ? "" : "s")")
        }
        guard f.frame(0, equals: "KZ1") else {
            let shown = String(decoding: f.frame(0).prefix(16), as: UTF8.self)
            return ErrorBody(code: "unsupported_version", message: "frame 0 must be the protocol tag; got \"\(shown)\", this peer speaks \(supported)")
        }
        return nil
    }

    static func badFrame(_ message: String) -> ErrorBody { ErrorBody(code: "bad_frame", message: message) }

    static func unknownCommand(_ f: some FrameList, known: String) -> ErrorBody {
        let shown = String(decoding: f.frame(1).prefix(16), as: UTF8.self)
        return ErrorBody(code: "unknown_command", message: "unknown command \"\(shown)\" here; expected one of \(known)")
    }

    static func body<T: SchemaBody>(_ f: some FrameList, _ index: Int, _ type: T.Type) -> Result<T, ErrorBody> {
        T.decode(bytes: f.frame(index))
    }

    static func errorBody(_ f: some FrameList, _ index: Int) -> Result<ErrorBody, ErrorBody> {
        body(f, index, ErrorBodySchema.self).map(\.body)
    }
}
