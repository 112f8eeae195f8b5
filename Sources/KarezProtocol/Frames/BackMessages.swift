/// One job handed to a worker.
public struct Job: Sendable, Equatable {
    /// The broker's tag for this delivery; `DONE`/`FAIL` name it.
    public var delivery: UInt64
    public var id: String
    public var kind: String
    /// 1 on first delivery, +1 on each redelivery.
    public var attempt: Int
    public var body: [UInt8]
    /// The W3C trace context the item was published with (sent in `JOBX`, to workers that
    /// accept it).
    public var traceparent: String?

    public init(delivery: UInt64, id: String, kind: String, attempt: Int, body: [UInt8], traceparent: String? = nil) {
        (self.delivery, self.id, self.kind, self.attempt, self.body) = (delivery, id, kind, attempt, body)
        self.traceparent = traceparent
    }

    /// The meta frame of `JOBX`: empty, or a JSON object with `traceparent`.
    public var metaFrame: [UInt8] {
        guard let traceparent else { return [] }
        return JSONWriter.bytes(.object(JSONObject([("traceparent", .string(traceparent))])))
    }

    /// Reads a `JOBX` meta frame (members it does not know are ignored).
    public static func traceparent(meta: some Collection<UInt8>) -> Result<String?, ErrorBody> {
        if meta.isEmpty { return .success(nil) }
        guard meta.count <= 4096, let json = try? JSONParser.parse(Array(meta)), let o = json.objectValue else {
            return .failure(Envelope.badFrame("a JOBX meta frame must be empty or a JSON object of at most 4096 bytes"))
        }
        guard let value = o["traceparent"] else { return .success(nil) }
        guard let t = value.stringValue, TraceParent.isValid(t) else {
            return .failure(Envelope.badFrame("the traceparent of a JOBX meta frame is not a W3C traceparent"))
        }
        return .success(t)
    }
}

/// What a worker sends to the broker's back endpoint.
public enum WorkerMessage: Sendable, Equatable {
    /// `KZ1 HELLO hello-json`: first message of a worker.
    case hello(Hello)
    /// `KZ1 CREDIT n`: the worker can take `n` more jobs.
    case credit(Int)
    /// `KZ1 DONE delivery…`: stored and committed.
    case done([UInt64])
    /// `KZ1 FAIL delivery retryable error-json`
    case fail(delivery: UInt64, retryable: Bool, ErrorBody)
    /// `KZ1 EXTEND delivery…`: still working on these jobs; their leases start again from now.
    case extend([UInt64])
    /// `KZ1 HB`
    case heartbeat
    /// `KZ1 BYE`: leaving; in-flight jobs are redelivered.
    case bye
    /// `KZ1 DRAIN`: stopping: send no more jobs (the broker answers `DRAINED`); the worker
    /// finishes and answers what it holds, then says `BYE` with nothing in hand.
    case drain
    /// `KZ1 PROGRESS delivery percent`: how far a long job is (0–100); its lease starts again
    /// from now, like `EXTEND`.
    case progress(delivery: UInt64, percent: Int)

    public var frames: [[UInt8]] {
        let tag = ProtocolTag.v1Bytes
        switch self {
        case .hello(let h): return [tag, Frame.ascii("HELLO"), Frame.json(h.json)]
        case .credit(let n): return [tag, Frame.ascii("CREDIT"), Frame.number(n)]
        case .done, .extend: return FrameArray.collect { try write(to: &$0) }
        case .fail(let d, let r, let body): return [tag, Frame.ascii("FAIL"), Frame.number(d), Frame.ascii(r ? "1" : "0"), body.bytes]
        case .heartbeat: return [tag, Frame.ascii("HB")]
        case .bye: return [tag, Frame.ascii("BYE")]
        case .drain: return [tag, Frame.ascii("DRAIN")]
        case .progress(let d, let percent): return [tag, Frame.ascii("PROGRESS"), Frame.number(d), Frame.number(percent)]
        }
    }

    /// Writes the message frame by frame (`DONE` and `EXTEND` without building arrays).
    public func write(to sink: inout some FrameSink) throws {
        let (command, tags): (StaticString, [UInt64])
        switch self {
        case .done(let list): (command, tags) = ("DONE", list)
        case .extend(let list): (command, tags) = ("EXTEND", list)
        default: return try sink.put(all: frames)
        }
        try sink.put(bytes: ProtocolTag.v1Bytes)
        try sink.put(command, last: tags.isEmpty)
        for (i, t) in tags.enumerated() { try sink.put(number: t, last: i == tags.count - 1) }
    }

    /// Most credit one `CREDIT` grants, and most a worker holds (PROTOCOL.md 4.1).
    public static let maxCredit = 1_000_000

    /// Decodes a worker's message; the error names the frame that is wrong, and the command. A
    /// `PACK` message is read as the command it packs.
    public static func decode(_ f: some FrameList) -> Result<WorkerMessage, ErrorBody> {
        if Pack.isPacked(f) { return Pack.unpack(f).mapError { Pack.naming($0, f) }.flatMap { decode($0) } }
        return decodeFrames(f).mapError { Envelope.naming($0, f) }
    }

    private static func decodeFrames(_ f: some FrameList) -> Result<WorkerMessage, ErrorBody> {
        if let problem = Envelope.checkTag(f) { return .failure(problem) }
        if f.frame(1, equals: "CREDIT") {
            guard f.frameCount == 3, let n = f.number(2), n >= 1, n <= maxCredit else {
                return .failure(Envelope.badFrame("CREDIT takes one number from 1 to \(maxCredit) without leading zeros"))
            }
            return .success(.credit(Int(n)))
        }
        if f.frame(1, equals: "DONE") { return deliveries(f, "DONE").map { .done($0) } }
        if f.frame(1, equals: "EXTEND") { return deliveries(f, "EXTEND").map { .extend($0) } }
        if f.frame(1, equals: "FAIL") {
            guard f.frameCount == 5, let d = f.number(2), f.frame(3, equals: "0") || f.frame(3, equals: "1") else {
                return .failure(Envelope.badFrame("FAIL takes delivery, retryable (0 or 1) and an error body"))
            }
            return Envelope.errorBody(f, 4).map { .fail(delivery: d, retryable: f.frame(3, equals: "1"), $0) }
        }
        if f.frame(1, equals: "HB") {
            return f.frameCount == 2 ? .success(.heartbeat) : .failure(Envelope.badFrame("HB takes no frames"))
        }
        if f.frame(1, equals: "HELLO") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("HELLO takes one JSON body")) }
            guard f.frame(2).count <= Hello.maxBytes else {
                return .failure(ErrorBody(path: "", code: "too_large", message: "HELLO body is \(f.frame(2).count) bytes; the limit is \(Hello.maxBytes)"))
            }
            return Envelope.body(f, 2, Hello.self).map { .hello($0) }
        }
        if f.frame(1, equals: "BYE") {
            return f.frameCount == 2 ? .success(.bye) : .failure(Envelope.badFrame("BYE takes no frames"))
        }
        if f.frame(1, equals: "DRAIN") {
            return f.frameCount == 2 ? .success(.drain) : .failure(Envelope.badFrame("DRAIN takes no frames"))
        }
        if f.frame(1, equals: "PROGRESS") {
            guard f.frameCount == 4, let d = f.number(2), let p = f.number(3), p <= 100 else {
                return .failure(Envelope.badFrame("PROGRESS takes a delivery and a percent from 0 to 100"))
            }
            return .success(.progress(delivery: d, percent: Int(p)))
        }
        return .failure(Envelope.unknownCommand(f, known: "HELLO, CREDIT, DONE, FAIL, EXTEND, PROGRESS, HB, DRAIN, BYE, PACK"))
    }

    /// The delivery tags of a `DONE` or `EXTEND`: one number per frame, at least one.
    private static func deliveries(_ f: some FrameList, _ command: String) -> Result<[UInt64], ErrorBody> {
        guard f.frameCount >= 3 else { return .failure(Envelope.badFrame("\(command) needs at least one delivery tag")) }
        var tags: [UInt64] = []
        tags.reserveCapacity(f.frameCount - 2)
        for i in 2..<f.frameCount {
            guard let d = f.number(i) else { return .failure(Envelope.badFrame("\(command) frame \(i) is not a delivery tag")) }
            tags.append(d)
        }
        return .success(tags)
    }
}

/// What the broker sends to a worker.
public enum BrokerMessage: Sendable, Equatable {
    /// `KZ1 WELCOME welcome-json`
    case welcome(Welcome)
    /// `KZ1 JOB delivery id kind attempt body […]`; `KZ1 JOBX delivery id kind attempt meta
    /// body […]` when a job carries meta (its `traceparent`).
    case jobs([Job])
    /// `KZ1 CANCEL delivery…`: these jobs were cancelled by an operator; drop them if not
    /// started (a `DONE` or `FAIL` for them is ignored).
    case cancel([UInt64])
    /// `KZ1 HB`
    case heartbeat
    /// `KZ1 ERR error-json`
    case error(ErrorBody)
    /// `KZ1 DRAINED`: the answer to `DRAIN`; every job sent to this worker came before it.
    case drained

    public var frames: [[UInt8]] {
        let tag = ProtocolTag.v1Bytes
        switch self {
        case .welcome(let w): return [tag, Frame.ascii("WELCOME"), Frame.json(w.json)]
        case .jobs: return FrameArray.collect { try write(to: &$0) }
        case .heartbeat: return [tag, Frame.ascii("HB")]
        case .error(let body): return [tag, Frame.ascii("ERR"), body.bytes]
        case .drained: return [tag, Frame.ascii("DRAINED")]
        case .cancel(let tags): return [tag, Frame.ascii("CANCEL")] + tags.map { Frame.number($0) }
        }
    }

    /// Writes the message frame by frame (`JOB` straight from the jobs, without building arrays).
    public func write(to sink: inout some FrameSink) throws {
        guard case .jobs(let jobs) = self else { return try sink.put(all: frames) }
        let extended = jobs.contains { $0.traceparent != nil }
        try sink.put(bytes: ProtocolTag.v1Bytes)
        try sink.put(extended ? "JOBX" : "JOB", last: jobs.isEmpty)
        for (i, j) in jobs.enumerated() {
            try sink.put(number: j.delivery)
            try sink.put(text: j.id)
            try sink.put(text: j.kind)
            try sink.put(number: UInt64(j.attempt))
            if extended { try sink.put(bytes: j.metaFrame) }
            try sink.put(bytes: j.body, last: i == jobs.count - 1)
        }
    }

    /// Decodes a broker's message; a `PACK` message is read as the command it packs.
    public static func decode(_ f: some FrameList) -> Result<BrokerMessage, ErrorBody> {
        if Pack.isPacked(f) { return Pack.unpack(f).flatMap { decode($0) } }
        if let problem = Envelope.checkTag(f) { return .failure(problem) }
        let extended = f.frame(1, equals: "JOBX")
        if extended || f.frame(1, equals: "JOB") {
            let n = f.frameCount - 2, per = extended ? 6 : 5
            guard n > 0, n % per == 0 else {
                return .failure(Envelope.badFrame("\(extended ? "JOBX" : "JOB") takes frames in \(extended ? "sixes" : "fives"), got \(n)"))
            }
            var jobs: [Job] = []
            var i = 2
            while i < f.frameCount {
                guard let d = f.number(i), let a = f.number(i + 3).flatMap(Int.init(exactly:)) else {
                    return .failure(Envelope.badFrame("JOB frames \(i) and \(i + 3) must be numbers (an attempt up to 2^63 - 1)"))
                }
                var trace: String?
                if extended {
                    switch Job.traceparent(meta: f.frame(i + 4)) {
                    case .success(let t): trace = t
                    case .failure(let e): return .failure(e)
                    }
                }
                jobs.append(Job(delivery: d, id: f.text(i + 1), kind: f.text(i + 2), attempt: a, body: f.bytes(i + per - 1), traceparent: trace))
                i += per
            }
            return .success(.jobs(jobs))
        }
        if f.frame(1, equals: "CANCEL") {
            guard f.frameCount >= 3 else { return .failure(Envelope.badFrame("CANCEL needs at least one delivery tag")) }
            var tags: [UInt64] = []
            for i in 2..<f.frameCount {
                guard let d = f.number(i) else { return .failure(Envelope.badFrame("CANCEL frame \(i) is not a delivery tag")) }
                tags.append(d)
            }
            return .success(.cancel(tags))
        }
        if f.frame(1, equals: "HB") {
            return f.frameCount == 2 ? .success(.heartbeat) : .failure(Envelope.badFrame("HB takes no frames"))
        }
        if f.frame(1, equals: "WELCOME") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("WELCOME takes one JSON body")) }
            return Envelope.body(f, 2, Welcome.self).map { .welcome($0) }
        }
        if f.frame(1, equals: "ERR") {
            guard f.frameCount == 3 else { return .failure(Envelope.badFrame("ERR takes one error body")) }
            return Envelope.errorBody(f, 2).map { .error($0) }
        }
        if f.frame(1, equals: "DRAINED") {
            return f.frameCount == 2 ? .success(.drained) : .failure(Envelope.badFrame("DRAINED takes no frames"))
        }
        return .failure(Envelope.unknownCommand(f, known: "WELCOME, JOB, JOBX, CANCEL, HB, ERR, DRAINED, PACK"))
    }
}

/// What broker and workers send to the collector: `KZ1 METRICS snapshot-json`.
public enum CollectorMessage: Sendable, Equatable {
    case metrics(MetricsSnapshot)

    public var frames: [[UInt8]] {
        switch self {
        case .metrics(let s): return [ProtocolTag.v1Bytes, Frame.ascii("METRICS"), Frame.json(s.json)]
        }
    }

    public static func decode(_ f: some FrameList) -> Result<CollectorMessage, ErrorBody> {
        if let problem = Envelope.checkTag(f) { return .failure(problem) }
        guard f.frame(1, equals: "METRICS") else { return .failure(Envelope.unknownCommand(f, known: "METRICS")) }
        guard f.frameCount == 3 else { return .failure(Envelope.badFrame("METRICS takes one JSON body")) }
        return Envelope.body(f, 2, MetricsSnapshot.self).map { .metrics($0) }
    }
}
