import KarezProtocol

/// The frame decoders. Besides not crashing (traps, sanitizer reports, more than the libFuzzer
/// `-timeout` for one input): a message that decodes, encoded again with its `frames`, decodes
/// to the same value, when all its frames are UTF-8 (text frames are read with replacement) and
/// no `PUB` id frame is longer than an id (such a frame is cut when decoded).
enum FrameTargets {
    static func front(_ input: UnsafeRawBufferPointer) {
        let frames = FuzzFrames(splitting: input)
        _ = frames.envelopeCount
        _ = frames.isErrorReport
        let request = FrontRequest.decode(frames)
        // An id frame over 128 bytes is never an id: decoding keeps only what a reply echoes.
        if case .success(let value) = request, allUTF8(frames), !hasLongID(frames) {
            checkRoundTrip(value, value.frames, FrontRequest.decode, "FrontRequest")
        }
        // The replies travel the other way over the same endpoint, through the same frame layer.
        _ = FrontReply.idListHeader(frames)
        if case .success(let value) = FrontReply.decode(frames), allUTF8(frames) {
            checkRoundTrip(value, value.frames, FrontReply.decode, "FrontReply")
        }
    }

    /// True when a `PUB`'s id frame (or a packed one's id field) is longer than an id may be
    /// (``PublishedItem/maxIDBytes``).
    private static func hasLongID(_ frames: FuzzFrames) -> Bool {
        guard case .success(let f) = Pack.read(frames), f.frameCount >= 2 else { return false }
        let per = f.frame(1, equals: "PUBX") || f.frame(1, equals: "PUBXW") ? 4 : 3
        return stride(from: 2, to: f.frameCount, by: per).contains { f.frame($0).count > PublishedItem.maxIDBytes }
    }

    /// True when every frame is UTF-8, of a packed message every field (a field may end inside a
    /// character its frame completes).
    private static func allUTF8(_ frames: FuzzFrames) -> Bool {
        guard case .success(let f) = Pack.read(frames) else { return frames.allUTF8 }
        return (0..<f.frameCount).allSatisfy { String(validating: f.frame($0), as: UTF8.self) != nil }
    }

    static func back(_ input: UnsafeRawBufferPointer) {
        let frames = FuzzFrames(splitting: input)
        if case .success(let value) = WorkerMessage.decode(frames), allUTF8(frames) {
            checkRoundTrip(value, value.frames, WorkerMessage.decode, "WorkerMessage")
        }
        if case .success(let value) = BrokerMessage.decode(frames), allUTF8(frames) {
            checkRoundTrip(value, value.frames, BrokerMessage.decode, "BrokerMessage")
        }
    }

    static func collector(_ input: UnsafeRawBufferPointer) {
        let frames = FuzzFrames(splitting: input)
        if case .success(let value) = CollectorMessage.decode(frames), frames.allUTF8 {
            checkRoundTrip(value, value.frames, CollectorMessage.decode, "CollectorMessage")
        }
    }

    private static func checkRoundTrip<T: Equatable>(_ value: T, _ encoded: [[UInt8]],
                                                     _ decode: (FuzzFrames) -> Result<T, ErrorBody>, _ name: String) {
        switch decode(FuzzFrames(encoded)) {
        case .success(let again) where again == value: return
        case .success(let again): fuzzFailure("\(name) encoded and decoded again differs:\n  \(value)\n  \(again)")
        case .failure(let error): fuzzFailure("\(name) encoded again does not decode: \(error)\n  \(value)")
        }
    }
}
