import Testing
@testable import KarezProtocol

private func roundTrip<T: Equatable>(_ value: T, _ frames: [[UInt8]], _ decode: (ByteFrames) -> Result<T, ErrorBody>) throws {
    let decoded = try decode(ByteFrames(frames)).get()
    #expect(decoded == value)
}

private func code<T>(_ result: Result<T, ErrorBody>) -> String? {
    if case .failure(let body) = result { return body.errors.map(\.code).joined(separator: ",") }
    return nil
}

private func frames(_ texts: String...) -> ByteFrames { ByteFrames(texts.map { Array($0.utf8) }) }

@Suite("Wire frames: every command encodes and decodes, malformed ones are explained")
struct FrameCodecTests {
    let error = ErrorBody(id: "p-1", kind: "patient", path: "/patient/national_id", code: "checksum", message: "check character should be X")
    let hello = Hello(name: "w1", host: "h", pid: 42, incarnation: "abc", concurrency: 2, version: "0.1.0", kinds: ["news"])

    @Test func frontRequestsAndReplies() throws {
        let pub = FrontRequest.publish([PublishedItem(id: "n-1", kind: "news", body: Array(#"{"id":"n-1"}"#.utf8)),
                                        PublishedItem(id: "n-2", kind: "news", body: Array("{}".utf8))])
        try roundTrip(pub, pub.frames, FrontRequest.decode)
        let watched = FrontRequest.publish([PublishedItem(id: "n-1", kind: "news", body: Array("{}".utf8))], watch: true)
        #expect(watched.frames[1] == Array("PUBW".utf8))
        try roundTrip(watched, watched.frames, FrontRequest.decode)
        try roundTrip(FrontRequest.ping, FrontRequest.ping.frames, FrontRequest.decode)
        let replies: [FrontReply] = [
            .ack(.fsynced, ["a", "b"]), .duplicate(["a"]), .finished(.done, ["a", "b"]), .finished(.dead, ["c"]), .nak(Array("a".utf8), error), .busy(retryAfterMilliseconds: 250, ["a", "b"]),
            .pong(Pong(broker: "b", incarnation: "i", version: "0.1.0", kinds: ["lead", "news"], maxItemBytes: 1 << 20, maxBatch: 1000, durability: "fsynced")),
            .error(ErrorBody(code: "bad_frame", message: "x")),
        ]
        for reply in replies { try roundTrip(reply, reply.frames, FrontReply.decode) }
    }

    @Test func backAndCollectorMessages() throws {
        let worker: [WorkerMessage] = [.hello(hello), .credit(64), .done([1, 2, 18_446_744_073_709_551_615]),
                                       .fail(delivery: 9, retryable: false, error), .heartbeat, .bye]
        for m in worker { try roundTrip(m, m.frames, WorkerMessage.decode) }
        let broker: [BrokerMessage] = [
            .welcome(Welcome(broker: "b", incarnation: "i", heartbeatMilliseconds: 1000, leaseMilliseconds: 30000, maxItemBytes: 1 << 20, version: "0.1.0")),
            .jobs([Job(delivery: 7, id: "x", kind: "lead", attempt: 2, body: Array("{}".utf8))]), .heartbeat, .error(error),
        ]
        for m in broker { try roundTrip(m, m.frames, BrokerMessage.decode) }
        let snapshot = MetricsSnapshot(
            source: .init(role: "worker", name: "w1", incarnation: "i", host: "h", pid: 3), seq: 5, time: "2026-11-29T05:00:00Z",
            uptimeSeconds: 1.5, counters: [.init(name: "items_done_total", labels: ["kind": "news"], value: 10)],
            gauges: [.init(name: "in_flight", value: -1)],
            histograms: [.init(name: "stage_seconds", labels: ["stage": "store"], count: 3, sum: 0.25, buckets: [(0.1, 2), (1, 3)])])
        try roundTrip(CollectorMessage.metrics(snapshot), CollectorMessage.metrics(snapshot).frames, CollectorMessage.decode)
    }

    @Test func malformedMessagesGetPreciseCodes() {
        #expect(code(FrontRequest.decode(frames("KZ1"))) == "bad_frame")
        #expect(code(FrontRequest.decode(frames("KZ9", "PUB", "a", "news", "{}"))) == "unsupported_version")
        #expect(code(FrontRequest.decode(frames("PUB", "a", "news", "{}"))) == "bad_frame", "no tag at all is bad_frame (2.4)")
        #expect(code(WorkerMessage.decode(frames("KZ1", "CREDIT", "0"))) == "bad_frame", "credit is at least 1 (4.1)")
        #expect(code(WorkerMessage.decode(frames("KZ1", "CREDIT", "05"))) == "bad_frame", "no leading zeros (2.1)")
        #expect(code(WorkerMessage.decode(frames("KZ1", "CREDIT", "1000001"))) == "bad_frame", "at most 1000000 (4.1)")
        #expect(code(WorkerMessage.decode(frames("KZ1", "DONE", "007"))) == "bad_frame", "no leading zeros (2.1)")
        #expect(WorkerMessage.decode(frames("KZ1", "CREDIT", "1000000")) == .success(.credit(1_000_000)))
        #expect(WorkerMessage.decode(frames("KZ1", "EXTEND", "7", "9")) == .success(.extend([7, 9])))
        #expect(code(FrontRequest.decode(frames("KZ1", "SHOUT"))) == "unknown_command")
        #expect(code(FrontRequest.decode(frames("KZ1", "PUB", "a", "news"))) == "bad_frame")
        #expect(code(FrontRequest.decode(frames("KZ1", "PING", "extra"))) == "bad_frame")
        #expect(code(WorkerMessage.decode(frames("KZ1", "CREDIT", "lots"))) == "bad_frame")
        #expect(code(WorkerMessage.decode(frames("KZ1", "DONE", "1", "x"))) == "bad_frame")
        #expect(code(WorkerMessage.decode(frames("KZ1", "FAIL", "1", "2", "{}"))) == "bad_frame")
        #expect(code(WorkerMessage.decode(frames("KZ1", "HELLO", "{\"name\":\"\"}")))?.contains("min_length") == true)
        #expect(code(WorkerMessage.decode(frames("KZ1", "HELLO", "not json"))) == "not_json")
        #expect(code(BrokerMessage.decode(frames("KZ1", "JOB", "1", "id", "news", "one", "{}"))) == "bad_frame")
        let tooMany = ByteFrames([ProtocolTag.v1Bytes, Array("PUB".utf8)] + Array(repeating: [Array("a".utf8), Array("news".utf8), Array("{}".utf8)], count: 1001).flatMap { $0 })
        #expect(code(FrontRequest.decode(tooMany)) == "bad_frame")
    }

    @Test func publishedItemsAreCheckedWithoutParsingTheBody() {
        let kinds: Set = ["news", "patient", "lead"]
        func check(_ id: String, _ kind: String, _ body: [UInt8]) -> String? {
            PublishedItem(id: id, kind: kind, body: body).problem(maxBytes: 64, knownKinds: kinds)?.errors.first?.code
        }
        #expect(check("n-1", "news", Array(" {\"x\":1}".utf8)) == nil)
        #expect(check("", "news", Array("{}".utf8)) == "bad_id")
        #expect(check("n 1", "news", Array("{}".utf8)) == "bad_id")
        #expect(check("n-1", "weather", Array("{}".utf8)) == "unknown_kind")
        #expect(check("n-1", "news", Array(repeating: UInt8(ascii: "{"), count: 65)) == "too_large")
        #expect(check("n-1", "news", [0x7B, 0xFF]) == "invalid_utf8")
        #expect(check("n-1", "news", Array("[1]".utf8)) == "not_object", "the broker says not_object (3.1)")
    }

    @Test func integersBeyondSixtyFourBitsAreRefusedNotTrappedOn() {
        let hello = #"{"name":"x","host":"h","pid":1e19,"incarnation":"i","concurrency":1,"version":"1"}"#
        #expect(code(WorkerMessage.decode(frames("KZ1", "HELLO", hello))) == "maximum")
        let negative = #"{"name":"x","host":"h","pid":-1e19,"incarnation":"i","concurrency":1,"version":"1"}"#
        #expect(code(WorkerMessage.decode(frames("KZ1", "HELLO", negative))) == "minimum")
    }

    @Test func errNamesTheRefusedMessage() throws {
        guard case .failure(let e) = FrontRequest.decode(frames("KZ1", "PUB", "a-1", "news", "{}", "a-2")) else {
            Issue.record("a PUB of four frames was accepted")
            return
        }
        #expect(e.command == "PUB")
        #expect(e.ids == ["a-1", "a-2"])
        let back = try ErrorBody.decode(try JSONParser.parse(e.bytes)).get()
        #expect(back == e, "command and ids survive the wire")
    }

    /// Items of one `PUBX` that share an options frame each get those options (decoded once), and
    /// a bad frame refuses exactly the items that carry it.
    @Test func pubxItemsGetTheirOwnOptions() {
        var parts = ["KZ1", "PUBX"]
        for i in 0..<40 {
            let options = i % 3 == 0 ? #"{"priority":7}"# : i % 3 == 1 ? "" : #"{"priority":70}"#
            parts += ["o-\(i)", "news", options, "{}"]
        }
        guard case .success(.publish(let items, let watch)) = FrontRequest.decode(ByteFrames(parts.map { Array($0.utf8) })) else {
            Issue.record("not decoded")
            return
        }
        #expect(!watch && items.count == 40)
        for (i, item) in items.enumerated() {
            #expect(item.options.priority == (i % 3 == 0 ? 7 : 0))
            #expect((item.problem(maxBytes: 64, knownKinds: ["news"])?.errors.first?.path == "/options/priority") == (i % 3 == 2))
        }
    }

    /// A `PUBX` item whose options frame is refused encodes again as it came (the fuzzer's
    /// round trip, libFuzzer crash-a051f720…: the frame was dropped, so the copy decoded as
    /// an item without a problem).
    @Test func anItemWithRefusedOptionsEncodesAsItCame() throws {
        for options in ["DL", String(repeating: " ", count: 1500) + "{}", #"{"priority":10}"#] {
            let original = FrontRequest.decode(frames("KZ1", "PUBXW", "r-1", "news", options, "{}"))
            guard case .success(let request) = original else { Issue.record("not decoded"); continue }
            #expect(FrontRequest.decode(ByteFrames(request.frames)) == original)
        }
    }

    /// A malformed `PUBX` names its ids from frames 2, 6, 10 (four frames per item).
    @Test func errNamesTheIDsOfAMalformedPubx() {
        guard case .failure(let e) = FrontRequest.decode(frames("KZ1", "PUBX", "x-1", "news", "", "{}", "x-2", "news", "{}")) else {
            Issue.record("a PUBX of seven frames was accepted")
            return
        }
        #expect(e.command == "PUBX" && e.ids == ["x-1", "x-2"])
        #expect(e.errors.first?.message.contains("fours (id kind options body)") == true)
    }

    @Test func nakEchoesAnIDFrameThatIsNotUTF8ByteForByte() {
        let raw: [UInt8] = [0x61, 0xFF, 0xFE]
        guard case .success(.publish(let items, _)) = FrontRequest.decode(ByteFrames([Array("KZ1".utf8), Array("PUB".utf8), raw, Array("news".utf8), Array("{}".utf8)])) else {
            Issue.record("not decoded")
            return
        }
        #expect(items[0].idFrame == raw)
        let problem = items[0].problem(maxBytes: 64, knownKinds: ["news"])
        #expect(problem?.errors.first?.code == "bad_id")
        #expect(problem?.id == nil, "an id that is not UTF-8 is left out of the error body (3.2)")
    }

    @Test func errorBodiesAreCappedAndEscaped() throws {
        let many = ErrorBody(errors: (0..<150).map { Violation(path: JSONPointer.append(JSONPointer.append("", "a~b"), "c/d"), code: "x", message: "\($0)") })
        let json = many.json
        #expect(json["errors"]?.arrayValue?.count == 100)
        #expect(json["errors"]?.arrayValue?.first?["path"] == "/a~0b/c~1d")
        #expect(json["errors"]?.arrayValue?.last?["code"] == "too_many_errors")
        let back = try ErrorBody.decode(try JSONParser.parse(many.bytes)).get()
        #expect(back.errors.count == 100)
    }
}
