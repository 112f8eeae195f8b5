import Testing
@testable import KarezProtocol

/// The frames `Packed(message)` writes.
private func packedFrames(_ message: some FrameWritable) -> [[UInt8]] { FrameArray.collect { try Packed(message).write(to: &$0) } }

/// A packed frame built by hand, as PROTOCOL.md 2.5 spells it: big-endian u32 length, bytes.
private func pack(_ fields: [[UInt8]]) -> [UInt8] {
    fields.flatMap { f -> [UInt8] in
        let n = UInt32(f.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + f
    }
}

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

private func failure<T>(_ result: Result<T, ErrorBody>) -> ErrorBody? {
    if case .failure(let body) = result { return body }
    return nil
}

@Suite("PACK: a batch command's frames as the fields of one frame (PROTOCOL.md 2.5)")
struct PackedFramesTests {
    let items = [PublishedItem(id: "p-1", kind: "patient", body: bytes(#"{"id":"p-1"}"#)),
                 PublishedItem(id: "p-2", kind: "patient", body: bytes("{}")),
                 PublishedItem(id: "p-3", kind: "patient", body: [])]

    @Test func everyPackableMessageReadsBackAsItself() throws {
        let requests: [FrontRequest] = [.publish(items), .publish(items, watch: true),
                                        .publish([PublishedItem(id: "x", kind: "lead", body: bytes("{}"), options: ItemOptions(priority: 7))], watch: true)]
        for r in requests { #expect(try FrontRequest.decode(ByteFrames(packedFrames(r))).get() == r) }
        let replies: [FrontReply] = [.ack(.fsynced, ["a", "b"]), .duplicate(["a", "b"]), .busy(retryAfterMilliseconds: 200, ["a", "b"]),
                                     .finished(.done, ["a", "b"]), .finished(.cancelled, ["c"])]
        for r in replies { #expect(try FrontReply.decode(ByteFrames(packedFrames(r))).get() == r) }
        let jobs = BrokerMessage.jobs([Job(delivery: 7, id: "a", kind: "news", attempt: 1, body: bytes("{}")),
                                       Job(delivery: 8, id: "b", kind: "news", attempt: 2, body: bytes("{}"), traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")])
        #expect(try BrokerMessage.decode(ByteFrames(packedFrames(jobs))).get() == jobs)
        for m in [WorkerMessage.done([1, 2, 3]), .extend([4, 5])] { #expect(try WorkerMessage.decode(ByteFrames(packedFrames(m))).get() == m) }
    }

    @Test func theWireFormIsTheSpecsOwn() {
        let frames = packedFrames(FrontRequest.publish(Array(items.prefix(2)), watch: true))
        #expect(frames.count == 4)
        #expect(frames[0] == bytes("KZ1") && frames[1] == bytes("PACK") && frames[2] == bytes("PUBW"))
        #expect(frames[3] == pack([bytes("p-1"), bytes("patient"), bytes(#"{"id":"p-1"}"#), bytes("p-2"), bytes("patient"), bytes("{}")]))
        // Lengths are big-endian: a 300-byte field starts 00 00 01 2C.
        let long = packedFrames(WorkerMessage.done([UInt64(String(repeating: "9", count: 19))!, 1]))
        #expect(Array(long[3].prefix(4)) == [0, 0, 0, 19])
        #expect(Array(pack([Array(repeating: 0x20, count: 300)]).prefix(4)) == [0, 0, 1, 0x2C])
    }

    @Test func aBrokenPackIsRefusedWithWhatIsWrong() throws {
        let tag = bytes("KZ1"), packCommand = bytes("PACK")
        let good = pack([bytes("a"), bytes("patient"), bytes("{}")])
        let cases: [([[UInt8]], String, String)] = [
            ([tag, packCommand, bytes("PUB")], "bad_frame", "one packed frame"),
            ([tag, packCommand, bytes("PUB"), good, good], "bad_frame", "one packed frame"),
            ([tag, packCommand, bytes("PUB"), Array(good.dropLast())], "bad_frame", "runs past"),
            ([tag, packCommand, bytes("PUB"), good + [0, 0]], "bad_frame", "cut length"),
            ([tag, packCommand, bytes("PUB"), [0xFF, 0xFF, 0xFF, 0xFF]], "bad_frame", "runs past"),
            ([tag, packCommand, bytes("PACK"), pack([bytes("PUB"), good])], "bad_frame", "never nested"),
            ([tag, packCommand, bytes("HELLO"), pack([bytes("{}")])], "unknown_command", "cannot carry"),
            ([tag, packCommand, bytes("ACK"), pack([bytes("fsynced"), bytes("a")])], "unknown_command", "ACK"),
        ]
        for (frames, code, words) in cases {
            let error = try #require(failure(FrontRequest.decode(ByteFrames(frames))))
            #expect(error.errors.first?.code == code, "\(frames.map { String(decoding: $0.prefix(12), as: UTF8.self) })")
            #expect(error.errors.first?.message.contains(words) == true, "\(error.errors.first?.message ?? "")")
        }
        // An error inside the packed command names that command and its ids.
        let twoFrames = try #require(failure(FrontRequest.decode(ByteFrames([tag, packCommand, bytes("PUBW"), pack([bytes("a1"), bytes("patient")])]))))
        #expect(twoFrames.command == "PUBW" && twoFrames.ids == ["a1"] && twoFrames.errors.first?.code == "bad_frame")
        let framing = try #require(failure(FrontRequest.decode(ByteFrames([tag, packCommand, bytes("PUB")]))))
        #expect(framing.command == "PACK")
        // unknown_command naming PACK itself means only "this peer does not know PACK": a
        // command PACK cannot carry is named after that command.
        let ping = try #require(failure(FrontRequest.decode(ByteFrames([tag, packCommand, bytes("PING"), []]))))
        #expect(ping.command == "PING" && ping.errors.first?.code == "unknown_command")
    }

    @Test func aPackOfTooManyFieldsIsRefusedBeforeItIsRead() throws {
        let many = [UInt8](repeating: 0, count: 4 * (Pack.maxFields + 1))  // empty fields
        let error = try #require(failure(WorkerMessage.decode(ByteFrames([bytes("KZ1"), bytes("PACK"), bytes("DONE"), many]))))
        #expect(error.errors.first?.code == "bad_frame")
        #expect(error.errors.first?.message.contains("\(Pack.maxFields)") == true)
    }

    @Test func readLeavesAnUnpackedMessageAsItIs() throws {
        let plain = ByteFrames(FrontReply.ack(.fsynced, ["a", "b"]).frames)
        let view = try Pack.read(plain).get()
        #expect(view.frameCount == 5 && view.text(1) == "ACK" && view.text(4) == "b")
        let packed = try Pack.read(ByteFrames(packedFrames(FrontReply.ack(.fsynced, ["a", "b"])))).get()
        #expect(packed.frameCount == 5 && packed.text(0) == "KZ1" && packed.text(1) == "ACK" && packed.text(2) == "fsynced" && packed.text(4) == "b")
    }

    @Test func aCommandPackCannotCarryIsNeverReadWhole() throws {
        let tag = bytes("KZ1"), packCommand = bytes("PACK")
        // 1 MiB of bytes that are not UTF-8 where the packed command goes: refused as unknown,
        // named after nothing (it is no command), and not made text.
        let garbage = [UInt8](repeating: 0xFF, count: 1 << 20)
        let huge = try #require(failure(FrontRequest.decode(ByteFrames([tag, packCommand, garbage, []]))))
        #expect(huge.errors.first?.code == "unknown_command" && huge.command == nil)
        #expect(huge.errors.first!.message.utf8.count < 300)
        // A lower-case command is no command either: the ERR does not name PACK.
        let lower = try #require(failure(WorkerMessage.decode(ByteFrames([tag, packCommand, bytes("done"), pack([bytes("1")])]))))
        #expect(lower.errors.first?.code == "unknown_command" && lower.command == nil)
    }

    @Test func fieldsAreCountedWithoutReadingThem() {
        let frames = packedFrames(WorkerMessage.done(Array(1...40)))
        #expect(Pack.fieldCount(ByteFrames(frames)) == 40)
        #expect(Pack.fieldCount(ByteFrames(WorkerMessage.done([1, 2]).frames)) == nil)
        #expect(Pack.fieldCount(ByteFrames([bytes("KZ1"), bytes("PACK"), bytes("DONE"), Array(frames[3].dropLast())])) == nil)
        #expect(Pack.fieldCount(ByteFrames([bytes("KZ1"), bytes("PACK"), bytes("DONE"), []])) == 0)
    }
}
