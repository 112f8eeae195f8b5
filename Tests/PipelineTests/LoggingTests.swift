import Foundation
import KarezProtocol
import KarezTestSupport
import Testing
import ZeroMQ

@Suite("Logs: swift-log, text or one JSON object per line", .serialized)
struct LoggingTests {
    /// `--log-format json`: every line a process writes is a JSON object with time, level, role
    /// and message, and an event's details under `fields` (a refused CURVE key here); SIGTERM
    /// ends the broker with exit 0 and its last line says so.
    @Test func jsonLinesParseAndCarryLevelRoleMessageAndFields() async throws {
        let keys = try await TestKeys(["broker", "producer", "stranger"], folders: ["producers": ["producer"]])
        let front = "tcp://127.0.0.1:\(freePort())"
        let broker = try Child(["broker", "--front", front, "--back", "tcp://127.0.0.1:\(freePort())", "--data", keys.dir.appendingPathComponent("data").path,
                                "--collector", "none", "--curve-key", keys.path("broker.key"), "--producers", keys.folder("producers"),
                                "--log-format", "json", "--log-level", "debug"])
        _ = try await broker.waitFor("CURVE on")
        #expect(try ask(front, FrontRequest.ping.frames, keys: try keys.client("stranger"), timeout: .seconds(1)) == nil)
        _ = try await broker.waitFor("refused a connection")
        #expect(try await broker.terminate() == 0)
        let lines = broker.text.split(separator: "\n").filter { !$0.isEmpty }
        var objects: [JSONValue] = []
        for line in lines {
            let parsed = try? JSONParser.parse(Array(line.utf8))
            #expect(parsed?.objectValue != nil, "not a JSON object: \(line)")
            if let parsed { objects.append(parsed) }
        }
        for o in objects {
            #expect(o["time"]?.stringValue != nil && o["level"]?.stringValue != nil && o["role"]?.stringValue != nil && o["message"]?.stringValue != nil, "\(JSONWriter.string(o))")
        }
        let refusal = try #require(objects.first { $0["message"]?.stringValue == "refused a connection: key not allowed" })
        #expect(refusal["level"] == "warning" && refusal["role"] == "broker.auth")
        #expect(refusal["fields"]?["endpoint"] == "front" && refusal["fields"]?["key"]?.stringValue?.count == 16)
        #expect(objects.first?["role"] == "broker" && objects.first?["message"]?.stringValue?.hasPrefix("front ") == true)
        #expect(objects.last?["message"] == "stopped cleanly", "the last line: \(objects.last.map(JSONWriter.string) ?? "none")")
    }
}
