import Foundation
import KarezTestSupport
import KarezProtocol
import KarezStore
import Testing

/// Counts stored (or rejected) items of a kind through `karez query --count`.
func storedCount(_ store: String, _ kind: String, rejected: Bool = false) async throws -> Int {
    let (status, out) = try await karez(["query", "--store", store, "--kind", kind, "--count"] + (rejected ? ["--rejected"] : []))
    guard status == 0, let n = Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) else {
        throw PipelineTestError("karez query failed (\(status)): \(out)")
    }
    return n
}

/// Waits until `kind` has at least `n` stored items.
func waitStored(_ store: String, _ kind: String, _ n: Int, timeout: Duration = .seconds(120)) async throws -> Int {
    let deadline = ContinuousClock.now + timeout
    var count = 0
    while ContinuousClock.now < deadline {
        count = try await storedCount(store, kind)
        if count >= n { return count }
        try await Task.sleep(for: .milliseconds(200))
    }
    return count
}

@Suite("The reference data set through karez up, over real TCP", .serialized)
struct ReferencePipelineTests {
    @Test func everyValidItemStoredOnceEveryInvalidOneRejectedWithItsReason() async throws {
        let dir = ScratchFolder.make("up")
        let up = try Child(["up", "--data", dir.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0", "--worker-count", "2"])
        let banner = try await up.waitFor("Ctrl-C to stop")
        let front = try #require(endpoint(after: "publish to ", in: banner))
        let reference = dir.appendingPathComponent("reference.jsonl")
        let (genStatus, genOut) = try await karez(["gen", "--reference", "--output", reference.path])
        #expect(genStatus == 0, "\(genOut)")

        let (status, out) = try await karez(["publish", "--broker", front, reference.path])
        // The broker acknowledges every item (the bad- ones fail validation later, in a worker).
        #expect(status == 0, "\(out)")
        #expect(out.contains("acknowledged 1594"), "\(out)")
        let store = "sqlite:\(dir.path)/karez.sqlite"
        #expect(try await waitStored(store, "patient", 1467) == 1467)
        #expect(try await waitStored(store, "lead", 17) == 17)
        #expect(try await waitStored(store, "news", 105) == 105)
        // Publishing the same set again changes nothing: every id is a duplicate, and with --wait
        // each one's FIN says it is finished (the 5 invalid ones dead), so nothing is in flight.
        let (again, againOut) = try await karez(["publish", "--broker", front, "--wait", reference.path])
        #expect(againOut.contains("duplicates 1594") && againOut.contains("dead-lettered 5") && againOut.contains("unfinished 0"), "\(againOut)")
        #expect(again == 1, "exit 1: some items are dead letters")
        #expect(try await storedCount(store, "patient") == 1467)
        #expect(try await storedCount(store, "patient", rejected: true) == 3)
        #expect(try await storedCount(store, "lead", rejected: true) == 1)
        #expect(try await storedCount(store, "news", rejected: true) == 1)
        let (_, rejected) = try await karez(["query", "--store", store, "--kind", "patient", "--rejected"])
        #expect(rejected.contains("\"code\":\"checksum\""))
        #expect(rejected.contains("\"path\":\"/visit/date\""))
        // Validation failures are not retried: the 5 bad- items are dead letters with their reasons.
        var (_, letters) = try await karez(["dlq", "list", "--data", dir.path])
        #expect(letters.contains("5 dead letters"), "\(letters)")
        #expect(letters.contains("bad-pt-national-id-check") && letters.contains("checksum"))
        let (showStatus, shown) = try await karez(["dlq", "show", "--data", dir.path, "bad-news-missing-title"])
        #expect(showStatus == 0 && shown.contains("\"code\":\"required\""), "\(shown)")
        // Requeued, it fails the same way and comes back (a newer dead letter); purged, it is gone.
        func deadAt() async throws -> Double? {
            let (status, text) = try await karez(["dlq", "show", "--data", dir.path, "bad-news-missing-title"])
            return status == 0 ? try JSONParser.parse(Array(text.utf8))["dead_at_ms"]?.numberValue : nil
        }
        let firstDeath = try #require(try await deadAt())
        let (rq, rqOut) = try await karez(["dlq", "requeue", "--broker", front, "bad-news-missing-title"])
        #expect(rq == 0 && rqOut.contains("requeued 1"), "\(rqOut)")
        #expect(try await eventually(timeout: .seconds(60)) { (try await deadAt() ?? 0) > firstDeath })
        (_, letters) = try await karez(["dlq", "list", "--data", dir.path])
        #expect(letters.contains("5 dead letters"), "\(letters)")
        let (pg, pgOut) = try await karez(["dlq", "purge", "--broker", front, "--all"])
        #expect(pg == 0 && pgOut.contains("purged 5"), "\(pgOut)")
        (_, letters) = try await karez(["dlq", "list", "--data", dir.path])
        #expect(letters.contains("0 dead letters"), "\(letters)")
        #expect(try await up.terminate() == 0)
        print("reference set: 1589 stored exactly once, 5 rejected with reasons; second publish: all 1594 duplicates")
    }
}
