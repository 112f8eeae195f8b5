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
        if case .success(let value) = request, frames.allUTF8, !hasLongID(frames) {
            checkRoundTrip(value, value.frames, FrontRequest.decode, "FrontRequest")
        }
        // The replies travel the other way over the same endpoint, through the same frame layer.
        _ = FrontReply.idListHeader(frames)
        if case .success(let value) = FrontReply.decode(frames), frames.allUTF8 {
            checkRoundTrip(value, value.frames, FrontReply.decode, "FrontReply")
        }
    }

    /// True when a `PUB`'s id frame is longer than an id may be (``PublishedItem/maxIDBytes``).
    private static func hasLongID(_ frames: FuzzFrames) -> Bool {
        stride(from: 2, to: frames.frameCount, by: 3).contains { frames.frame($0).count > PublishedItem.maxIDBytes }
    }

    static func back(_ input: UnsafeRawBufferPointer) {
        let frames = FuzzFrames(splitting: input)
        if case .success(let value) = WorkerMessage.decode(frames), frames.allUTF8 {
            checkRoundTrip(value, value.frames, WorkerMessage.decode, "WorkerMessage")
        }
        if case .success(let value) = BrokerMessage.decode(frames), frames.allUTF8 {
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
