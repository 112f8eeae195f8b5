/// One item of a `PUB` message as it arrives: not yet checked beyond the frame layout.
public struct PublishedItem: Sendable, Equatable {
    public var id: String
    public var kind: String
    public var body: [UInt8]
    /// The id frame's bytes when they are not UTF-8 (``id`` then holds replacement characters);
    /// nil otherwise. A `NAK` echoes the frame exactly as received (PROTOCOL.md 3.2).
    public var invalidIDFrame: [UInt8]?
    /// False when the kind frame is not UTF-8: the error body then leaves `kind` out (3.2).
    public var kindIsUTF8 = true
    /// The body's size as received: a body over the decoder's limit is not copied (``body`` is
    /// then empty), only refused.
    public var bodyBytes: Int
    /// What the producer asks for this item (`PUBX`); empty for `PUB`.
    public var options = ItemOptions()
    /// The options frame of a `PUBX` item when it is refused, with why (rare: kept out of line,
    /// so an item is no larger for it).
    public var refusedOptions: RefusedOptions?

    /// Why the options frame of a `PUBX` item is refused, when it is.
    public var optionsProblem: ErrorBody? { refusedOptions?.problem }
    /// That refused options frame as received, so the item encodes again as it came.
    public var refusedOptionsFrame: [UInt8]? { refusedOptions?.frame }

    public init(id: String, kind: String, body: [UInt8], invalidIDFrame: [UInt8]? = nil, options: ItemOptions = ItemOptions()) {
        (self.id, self.kind, self.body, self.invalidIDFrame, self.options) = (id, kind, body, invalidIDFrame, options)
        bodyBytes = body.count
    }

    /// The longest id (PROTOCOL.md 9); replies echo at most this much of an id frame.
    public static let maxIDBytes = 128

    /// The id frame as received, cut to ``maxIDBytes`` (a longer one is no id: `bad_id`).
    public var idFrame: [UInt8] { Array((invalidIDFrame ?? Array(id.utf8)).prefix(Self.maxIDBytes)) }

    /// The item as read from frames `i` (id), `i + 1` (kind) and `i + 2` (body); a body over
    /// `maxBodyBytes` is not copied, nor more of an id frame than an id can be (it is `bad_id`).
    /// With `options` (`PUBX`), frame `i + 2` is the options frame, decoded through that
    /// message's cache, and the body follows it.
    init(frames f: some FrameList, at i: Int, maxBodyBytes: Int, options cache: UnsafeMutablePointer<OptionsCache>? = nil) {
        let withOptions = cache != nil
        let fullID = f.frame(i)
        let idFrame = UnsafeRawBufferPointer(rebasing: fullID.prefix(Self.maxIDBytes + 1))
        let b = withOptions ? i + 3 : i + 2
        let size = f.frame(b).count
        self.init(id: String(decoding: idFrame, as: UTF8.self), kind: f.text(i + 1), body: size > maxBodyBytes ? [] : f.bytes(b),
                  invalidIDFrame: JSONBytes.isValidUTF8(idFrame) ? nil : Array(idFrame))
        bodyBytes = size
        kindIsUTF8 = JSONBytes.isValidUTF8(f.frame(i + 1))
        if let cache {
            switch cache.pointee.decode(f.frame(i + 2)) {
            case .success(let o): options = o
            case .failure(let problems):
                refusedOptions = RefusedOptions(problem: problems, frame: Array(f.frame(i + 2)))
            }
        }
    }

    /// The frame-level checks the broker makes before journalling: the id and kind are well
    /// formed, the kind is known, the body fits and is a UTF-8 JSON object. The body is not
    /// parsed: workers validate it against the kind's schema.
    public func problem(maxBytes: Int, knownKinds: Set<String>) -> ErrorBody? {
        problem(maxBytes: maxBytes, kindIsKnown: knownKinds.contains(kind) && Patterns.isKindName(kind), knownKinds: knownKinds)
    }

    /// The same checks, for a caller that has already looked the kind up.
    /// - Parameter kindIsKnown: the kind is one the caller takes, and a well-formed kind name
    ///   (a caller whose kinds are all well formed knows this from the lookup alone).
    public func problem(maxBytes: Int, kindIsKnown: Bool, knownKinds: @autoclosure () -> some Sequence<String>) -> ErrorBody? {
        if !Patterns.isItemID(id) {
            // The error body names the id only when it is printable text of an id's length (the
            // NAK's id frame carries it anyway): replies stay small and cheap whatever was sent.
            let printable = invalidIDFrame == nil && id.utf8.count <= Self.maxIDBytes && !id.utf8.contains { $0 < 0x20 || $0 == 0x7F }
            return ErrorBody(id: printable ? id : nil, kind: kindIsUTF8 ? String(kind.prefix(64)) : nil, path: "", code: "bad_id",
                             message: "the id must be 1 to 128 of A-Z a-z 0-9 . _ : - starting with a letter or digit")
        }
        if !kindIsKnown {
            return ErrorBody(id: id, kind: kindIsUTF8 ? String(kind.prefix(64)) : nil, path: "", code: "unknown_kind",
                             message: "unknown kind \"\(kind.prefix(40))\"; this broker takes \(knownKinds().sorted().joined(separator: ", "))")
        }
        if bodyBytes > maxBytes {
            return ErrorBody(id: id, kind: kind, path: "", code: "too_large",
                             message: "body is \(bodyBytes) bytes; the limit is \(maxBytes) (broker --max-item-bytes)")
        }
        if !body.withUnsafeBytes({ JSONBytes.isValidUTF8($0) }) {
            return ErrorBody(id: id, kind: kind, path: "", code: "invalid_utf8", message: "body is not valid UTF-8")
        }
        let first = body.first(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 })
        if first != UInt8(ascii: "{") {
            return ErrorBody(id: id, kind: kind, path: "", code: "not_object", message: "body must be a JSON object: its first byte that is not whitespace must be '{'")
        }
        if let optionsProblem { return ErrorBody(id: id, kind: kind, errors: optionsProblem.errors) }
        return nil
    }
}

/// An options frame the broker refuses, and why.
public final class RefusedOptions: Sendable, Equatable {
    public let problem: ErrorBody
    public let frame: [UInt8]

    public init(problem: ErrorBody, frame: [UInt8]) { (self.problem, self.frame) = (problem, frame) }

    public static func == (a: RefusedOptions, b: RefusedOptions) -> Bool { a.problem == b.problem && a.frame == b.frame }
}

/// What a producer sends to the broker's front endpoint.
public enum FrontRequest: Sendable, Equatable {
    /// `KZ1 PUB id kind body [id kind body …]`; with `watch`, `KZ1 PUBW …`: the broker also
    /// sends `FIN` when the items are finished (after a broker restart: when sent again). When
    /// any item has options it is sent as `PUBX` (`PUBXW`): `id kind options body` per item.
    case publish([PublishedItem], watch: Bool = false)
    /// `KZ1 CTL request-json`: an operator command (limits, pause, cancel, status).
    case control(ControlRequest)
    /// `KZ1 PING`
    case ping
    /// `KZ1 DLQ REQUEUE id…`: put dead letters back in the queue (attempts start again).
    case requeue([String])
    /// `KZ1 DLQ PURGE [id…]`: delete dead letters (all of them when no id is given).
    case purge([String])

    /// Most items one `PUB` may carry.
    public static let maxBatch = 1000

    /// True for admin commands (`DLQ …`): with CURVE only operator keys may send them.
    public var isAdmin: Bool {
        switch self {
        case .requeue, .purge, .control: true
        case .publish, .ping: false
        }
    }

    /// The frames to send (without any routing envelope).
    public var frames: [[UInt8]] {
        switch self {
        case .ping: return [ProtocolTag.v1Bytes, Frame.ascii("PING")]
        case .requeue(let ids): return [ProtocolTag.v1Bytes, Frame.ascii("DLQ"), Frame.ascii("REQUEUE")] + ids.map(Frame.text)
        case .purge(let ids): return [ProtocolTag.v1Bytes, Frame.ascii("DLQ"), Frame.ascii("PURGE")] + ids.map(Frame.text)
        case .control(let request): return [ProtocolTag.v1Bytes, Frame.ascii("CTL"), Frame.json(request.json)]
        case .publish: return FrameArray.collect { try write(to: &$0) }
        }
    }

    /// Writes the request frame by frame (`PUB` straight from the items, without building arrays).
    public func write(to sink: inout some FrameSink) throws {
        guard case .publish(let items, let watch) = self else { return try sink.put(all: frames) }
        let extended = items.contains { !$0.options.isEmpty || $0.refusedOptionsFrame != nil }
        try sink.put(bytes: ProtocolTag.v1Bytes)
        try sink.put(extended ? (watch ? "PUBXW" : "PUBX") : (watch ? "PUBW" : "PUB"), last: items.isEmpty)
        // Items share a few option sets (one per run, or one per priority): each is encoded once.
        var encoded: [(options: ItemOptions, frame: [UInt8])] = []
        func frame(_ options: ItemOptions) -> [UInt8] {
            if options.isEmpty { return [] }
            if let hit = encoded.first(where: { $0.options == options }) { return hit.frame }
            let bytes = options.frame
            if encoded.count < OptionsCache.capacity { encoded.append((options, bytes)) }
            return bytes
        }
        for (i, item) in items.enumerated() {
            try sink.put(text: item.id)
            try sink.put(text: item.kind)
            if extended { try sink.put(bytes: item.refusedOptionsFrame ?? frame(item.options)) }
            try sink.put(bytes: item.body, last: i == items.count - 1)
        }
    }

    /// Decodes a request; the error names the frame that is wrong, and the message it refuses.
    public static func decode(_ f: some FrameList) -> Result<FrontRequest, ErrorBody> {
        decode(f, maxBodyBytes: .max)
    }

    /// As ``decode(_:)``; bodies larger than `maxBodyBytes` are not copied (they can only be refused).
    /// A `PACK` message is read as the command it packs (its errors name that command).
    public static func decode(_ f: some FrameList, maxBodyBytes: Int) -> Result<FrontRequest, ErrorBody> {
        if Pack.isPacked(f) { return Pack.unpack(f).mapError { Pack.naming($0, f) }.flatMap { decode($0, maxBodyBytes: maxBodyBytes) } }
        return decodeFrames(f, maxBodyBytes: maxBodyBytes).mapError { Envelope.naming($0, f) }
    }

    private static func decodeFrames(_ f: some FrameList, maxBodyBytes: Int) -> Result<FrontRequest, ErrorBody> {
        if let problem = Envelope.checkTag(f) { return .failure(problem) }
        if f.frame(1, equals: "PING") {
            return f.frameCount == 2 ? .success(.ping) : .failure(Envelope.badFrame("PING takes no frames, got \(f.frameCount - 2)"))
        }
        if f.frame(1, equals: "DLQ") {
            guard f.frameCount >= 3 else { return .failure(Envelope.badFrame("DLQ needs REQUEUE or PURGE")) }
            let ids = (3..<f.frameCount).map { f.text($0) }
            if f.frame(2, equals: "REQUEUE") {
                return ids.isEmpty ? .failure(Envelope.badFrame("DLQ REQUEUE needs at least one id")) : .success(.requeue(ids))
            }
            if f.frame(2, equals: "PURGE") { return .success(.purge(ids)) }
            return .failure(Envelope.badFrame("DLQ takes REQUEUE or PURGE"))
        }
        if f.frame(1, equals: "CTL") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("CTL takes one JSON request, got \(f.frameCount - 2) frames")) }
            return ControlRequest.decode(f.frame(2)).map { .control($0) }
        }
        let watch = f.frame(1, equals: "PUBW") || f.frame(1, equals: "PUBXW")
        let extended = f.frame(1, equals: "PUBX") || f.frame(1, equals: "PUBXW")
        guard watch || extended || f.frame(1, equals: "PUB") else {
            return .failure(Envelope.unknownCommand(f, known: "PUB, PUBW, PUBX, PUBXW, PING, DLQ, CTL, PACK"))
        }
        let n = f.frameCount - 2, per = extended ? 4 : 3
        let command = extended ? "PUBX" : "PUB"
        guard n > 0, n % per == 0 else {
            let layout = extended ? "fours (id kind options body)" : "threes (id kind body)"
            return .failure(Envelope.badFrame("\(command) takes frames in \(layout), got \(n) frame\(n == 1 ? "" : "s")"))
        }
        guard n / per <= maxBatch else {
            return .failure(Envelope.badFrame("\(command) carries \(n / per) items; at most \(maxBatch) per message"))
        }
        var items: [PublishedItem] = []
        items.reserveCapacity(n / per)
        var i = 2
        var cache = OptionsCache()
        withUnsafeMutablePointer(to: &cache) { cache in
            while i < f.frameCount {
                items.append(PublishedItem(frames: f, at: i, maxBodyBytes: maxBodyBytes, options: extended ? cache : nil))
                i += per
            }
        }
        return .success(.publish(items, watch: watch))
    }
}

/// How durable an acknowledged item is.
public enum Durability: String, Sendable, CaseIterable, Comparable {
    /// In the broker's memory only (`--fsync never` before the write).
    case memory
    /// Written to the journal file (in the OS page cache).
    case written
    /// Written and fsynced to disk.
    case fsynced

    public static func < (a: Durability, b: Durability) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How a watched item finished.
public enum FinOutcome: String, Sendable, CaseIterable {
    /// A worker reported DONE (stored).
    case done
    /// Moved to the dead-letter list: invalid (refused by a worker) or out of attempts.
    case dead
    /// Not started before the time to live it was published with ran out (`PUBX`).
    case expired
    /// Cancelled by an operator (`CTL cancel`) before it finished.
    case cancelled
}

/// What the broker answers on the front endpoint.
public enum FrontReply: Sendable, Equatable {
    /// `KZ1 ACK durability id…`: journalled.
    case ack(Durability, [String])
    /// `KZ1 DUP id…`: already accepted within the dedup window; counts as acknowledged.
    case duplicate([String])
    /// `KZ1 NAK id error-json`: refused for good; the id frame exactly as it was received.
    case nak([UInt8], ErrorBody)
    /// `KZ1 BUSY retry_after_ms id…`: queue full, nothing stored; retry later.
    case busy(retryAfterMilliseconds: Int, [String])
    /// `KZ1 PONG pong-json`
    case pong(Pong)
    /// `KZ1 ERR error-json`: the request could not be understood at all.
    case error(ErrorBody)
    /// `KZ1 DLQOK n`: how many dead letters a DLQ command requeued or purged.
    case dlqDone(Int)
    /// `KZ1 CTLOK reply-json`: the outcome of an operator command.
    case controlDone(JSONValue)
    /// `KZ1 FIN outcome id…`: items published with `PUBW` (or answered `DUP` to one) are
    /// finished: `done` (stored) or `dead` (moved to the dead-letter list, invalid ones included).
    case finished(FinOutcome, [String])

    /// The frames to send (without the routing envelope).
    public var frames: [[UInt8]] {
        let tag = ProtocolTag.v1Bytes
        switch self {
        case .ack, .finished: return FrameArray.collect { try write(to: &$0) }
        case .duplicate(let ids): return [tag, Frame.ascii("DUP")] + ids.map(Frame.text)
        case .nak(let id, let body): return [tag, Frame.ascii("NAK"), id, body.bytes]
        case .busy(let ms, let ids): return [tag, Frame.ascii("BUSY"), Frame.number(ms)] + ids.map(Frame.text)
        case .pong(let pong): return [tag, Frame.ascii("PONG"), Frame.json(pong.json)]
        case .error(let body): return [tag, Frame.ascii("ERR"), body.bytes]
        case .dlqDone(let n): return [tag, Frame.ascii("DLQOK"), Frame.number(n)]
        case .controlDone(let reply): return [tag, Frame.ascii("CTLOK"), Frame.json(reply)]
        }
    }

    /// Writes the reply frame by frame (`ACK` and `FIN` straight from the ids, without building arrays).
    public func write(to sink: inout some FrameSink) throws {
        let (command, detail, ids): (StaticString, String, [String])
        switch self {
        case .ack(let d, let list): (command, detail, ids) = ("ACK", d.rawValue, list)
        case .finished(let outcome, let list): (command, detail, ids) = ("FIN", outcome.rawValue, list)
        default: return try sink.put(all: frames)
        }
        try sink.put(bytes: ProtocolTag.v1Bytes)
        try sink.put(command)
        try sink.put(text: detail, last: ids.isEmpty)
        for (i, id) in ids.enumerated() { try sink.put(text: id, last: i == ids.count - 1) }
    }

    /// The replies that name items by id (`ACK`, `DUP`, `BUSY`, `FIN`), without their ids.
    public enum IDListHeader: Sendable, Equatable {
        case ack(Durability)
        case duplicate
        case busy(retryAfterMilliseconds: Int)
        case finished(FinOutcome)
    }

    /// For a reply that names items by id: its header, and the index of the frame its ids start
    /// at, so a client can read them straight from the frames. Nil for other replies; a failure
    /// for an id-list reply that is malformed (or whose tag is wrong).
    public static func idListHeader(_ f: some FrameList) -> Result<(header: IDListHeader, firstID: Int), ErrorBody>? {
        if let problem = Envelope.checkTag(f) { return .failure(problem) }
        if f.frame(1, equals: "ACK") {
            guard f.frameCount >= 4, let d = Durability(rawValue: f.text(2)) else {
                return .failure(Envelope.badFrame("ACK needs a durability (memory, written, fsynced) and at least one id"))
            }
            return .success((.ack(d), 3))
        }
        if f.frame(1, equals: "DUP") {
            guard f.frameCount >= 3 else { return .failure(Envelope.badFrame("DUP needs at least one id")) }
            return .success((.duplicate, 2))
        }
        if f.frame(1, equals: "BUSY") {
            guard f.frameCount >= 4, let ms = f.number(2).flatMap(Int.init(exactly:)) else {
                return .failure(Envelope.badFrame("BUSY needs retry_after_ms (a number up to 2^63 - 1) and at least one id"))
            }
            return .success((.busy(retryAfterMilliseconds: ms), 3))
        }
        if f.frame(1, equals: "FIN") {
            guard f.frameCount >= 4, let outcome = FinOutcome(rawValue: f.text(2)) else {
                return .failure(Envelope.badFrame("FIN needs an outcome (done, dead, expired, cancelled) and at least one id"))
            }
            return .success((.finished(outcome), 3))
        }
        return nil
    }

    /// Decodes a reply.
    /// How many items the reply names (`ACK`, `DUP`, `BUSY`, `FIN`); 0 for the others.
    public var idCount: Int {
        switch self {
        case .ack(_, let ids), .finished(_, let ids), .duplicate(let ids), .busy(_, let ids): ids.count
        case .nak, .pong, .error, .dlqDone, .controlDone: 0
        }
    }

    /// Decodes a reply; a `PACK` message is read as the reply it packs.
    public static func decode(_ f: some FrameList) -> Result<FrontReply, ErrorBody> {
        if Pack.isPacked(f) { return Pack.unpack(f).flatMap { decode($0) } }
        if let header = idListHeader(f) {
            return header.map { header, first in
                let ids = (first..<f.frameCount).map { f.text($0) }
                switch header {
                case .ack(let d): return .ack(d, ids)
                case .duplicate: return .duplicate(ids)
                case .busy(let ms): return .busy(retryAfterMilliseconds: ms, ids)
                case .finished(let outcome): return .finished(outcome, ids)
                }
            }
        }
        if f.frame(1, equals: "NAK") {
            guard f.frameCount == 4 else { return .failure(Envelope.badFrame("NAK takes an id and an error body")) }
            return Envelope.errorBody(f, 3).map { .nak(f.bytes(2), $0) }
        }
        if f.frame(1, equals: "ERR") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("ERR takes one error body")) }
            return Envelope.errorBody(f, 2).map { .error($0) }
        }
        if f.frame(1, equals: "PONG") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("PONG takes one JSON body")) }
            return Envelope.body(f, 2, Pong.self).map { .pong($0) }
        }
        if f.frame(1, equals: "DLQOK") {
            guard f.frameCount == 3, let n = f.number(2), let count = Int(exactly: n) else { return .failure(Envelope.badFrame("DLQOK takes one number")) }
            return .success(.dlqDone(count))
        }
        if f.frame(1, equals: "CTLOK") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("CTLOK takes one JSON reply")) }
            do { return .success(.controlDone(try JSONParser.parse(f.bytes(2)))) } catch {
                return .failure(ErrorBody(code: error.code, message: "CTLOK reply: \(error.description)"))
            }
        }
        return .failure(Envelope.unknownCommand(f, known: "ACK, DUP, NAK, BUSY, PONG, ERR, DLQOK, FIN, CTLOK"))
    }
}
