import CCRC32C
import Foundation
import KarezMetrics
import KarezProtocol
import KarezTestSupport
import Testing
@testable import KarezBroker

private func item(_ id: String, kind: String = "patient", bytes: Int = 10) -> PublishedItem {
    PublishedItem(id: id, kind: kind, body: Array("{".utf8) + Array(repeating: UInt8(ascii: " "), count: max(0, bytes - 2)) + Array("}".utf8))
}

/// A core whose accepted items are journalled nowhere (segment 1): the state machine alone.
private func core(_ configure: (inout BrokerSettings) -> Void = { _ in }) -> BrokerCore {
    var s = BrokerSettings()
    configure(&s)
    return BrokerCore(settings: s, now: 1_000)
}

private func accept(_ c: BrokerCore, _ ids: [String], now: UInt64 = 1_000) {
    for d in c.publish(ids.map { item($0) }, now: now) {
        if case .accept(let i) = d { c.accepted(i, segment: 1) }
    }
}

private let w1: [UInt8] = [1], w2: [UInt8] = [2]
private let hello = Hello(name: "w", host: "h", pid: 1, incarnation: "i", concurrency: 1, version: "1")
/// A second, distinct worker (another name).
private let hello2 = Hello(name: "w2", host: "h", pid: 2, incarnation: "j", concurrency: 1, version: "1")

@Suite("BrokerCore: the broker's state machine, driven with a clock")
struct BrokerCoreTests {
    @Test func publishDecidesAcceptDuplicateRefuseAndBusy() {
        let c = core { $0.maxQueuedItems = 2 }
        let decisions = c.publish([item("a"), item("a"), item("bad id"), item("b", kind: "weather")], now: 1_000)
        #expect(decisions.count == 4)
        guard case .accept(let a) = decisions[0] else { Issue.record("a not accepted"); return }
        c.accepted(a, segment: 1)
        #expect(decisions[1] == .duplicate("a"))
        if case .refuse(_, let e) = decisions[2] { #expect(e.errors.first?.code == "bad_id") } else { Issue.record("bad id accepted") }
        if case .refuse(_, let e) = decisions[3] { #expect(e.errors.first?.code == "unknown_kind") } else { Issue.record("weather accepted") }
        // Within the dedup window a republished id is a duplicate; after it, a new item.
        #expect(c.publish([item("a")], now: 2_000) == [.duplicate("a")])
        accept(c, ["b"])
        #expect(c.publish([item("c")], now: 1_000) == [.busy("c")])
        _ = c.tick(now: 1_000 + c.settings.dedupWindowMillis + 1)
        #expect(c.queuedCount == 2)
    }

    @Test func theDedupWindowHoldsAtMostDedupMaxIDsOfFinishedItems() {
        let c = core { $0.dedupMaxIDs = 2 }
        let window = c.settings.dedupWindowMillis
        accept(c, ["a", "b", "c"])
        // All three still queued: none is forgotten, whatever the limit or the time.
        _ = c.tick(now: 1_001)
        #expect(c.stats.dedupEvicted == 0)
        #expect(c.dedupCount == 3)
        _ = c.tick(now: 1_000 + window + 1)
        #expect(c.publish([item("a")], now: 1_000 + window + 2) == [.duplicate("a")],
                "an id still queued is a duplicate even after the window")
        // "d" comes; "a", "b" and "c" finish: three finished ids for a limit of two, so the
        // oldest finished one ("a") leaves early.
        let t1 = 1_000 + window + 3
        accept(c, ["d"], now: t1)
        c.hello(w1, hello, now: t1)
        c.credit(w1, 3)
        let jobs = c.dispatch(now: t1).flatMap(\.jobs)
        #expect(jobs.map(\.id) == ["a", "b", "c"])
        c.done(w1, jobs.map(\.delivery), now: t1)
        _ = c.tick(now: t1 + 1)
        #expect(c.stats.dedupEvicted == 1)
        #expect(c.publish([item("a"), item("b"), item("d")], now: t1 + 2).map { if case .accept = $0 { "accept" } else { "other" } }
                == ["accept", "other", "other"], "a forgotten early; b finished within the window; d still queued")
        #expect(c.metrics().counters[MetricKey("broker_dedup_evicted_total", [:])] == 1)
    }

    @Test func dispatchRespectsCreditAndDoneFinishesOnlyFromTheHolder() {
        let c = core()
        accept(c, ["a", "b", "c"])
        c.hello(w1, hello, now: 1_000)
        #expect(c.dispatch(now: 1_000).isEmpty)
        c.credit(w1, 2)
        let jobs = c.dispatch(now: 1_000).flatMap(\.jobs)
        #expect(jobs.map(\.id) == ["a", "b"])
        #expect(jobs.allSatisfy { $0.attempt == 1 })
        #expect(c.dispatch(now: 1_000).isEmpty)
        c.hello(w2, hello2, now: 1_000)
        c.done(w2, [jobs[0].delivery], now: 1_000)            // not w2's delivery: ignored
        #expect(c.inFlightCount == 2)
        c.done(w1, jobs.map(\.delivery), now: 1_000)
        #expect(c.inFlightCount == 0)
        #expect(c.queuedCount == 1)
        #expect(c.takeFinished().done.count == 2)
    }

    @Test func watchingProducersHearFinForDoneAndDeadItemsAndMetricsCountThem() {
        let c = core()
        let producer: [[UInt8]] = [[9, 9]]
        for d in c.publish([item("a"), item("b"), item("c")], now: 1_000) {
            if case .accept(let i) = d { c.accepted(i, segment: 1, watcher: i.id == "c" ? nil : producer) }
        }
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 3)
        let jobs = c.dispatch(now: 1_010).flatMap(\.jobs)
        c.done(w1, [jobs[0].delivery, jobs[2].delivery], now: 1_050)
        c.fail(w1, jobs[1].delivery, retryable: false, ErrorBody(code: "invalid", message: "bad"), now: 1_060)
        let notices = c.takeFinNotices()
        #expect(notices.count == 2)
        #expect(notices.first { $0.outcome == .done }?.ids == ["a"])
        #expect(notices.first { $0.outcome == .dead }?.ids == ["b"])
        #expect(notices.allSatisfy { $0.envelope == producer })
        #expect(c.takeFinNotices().isEmpty)
        let m = c.metrics()
        #expect(m.counters[MetricKey("items_done_total", ["kind": "patient"])] == 2)
        #expect(m.counters[MetricKey("items_dead_lettered_total", ["kind": "patient"])] == 1)
        #expect(m.histograms[MetricKey("stage_seconds", ["kind": "patient", "stage": "end_to_end"])]?.count == 2)
    }

    @Test func oneDispatchUsesEveryWorkersWholeCreditInMessagesOfAtMostMaxJobs() {
        let c = core { $0.maxJobsPerMessage = 256 }
        accept(c, (0..<1000).map { "i\($0)" })
        c.hello(w1, hello, now: 1_000)
        c.hello(w2, hello2, now: 1_000)
        c.credit(w1, 600)
        c.credit(w2, 300)
        let out = c.dispatch(now: 1_000)
        #expect(out.map(\.jobs.count) == [256, 256, 256, 44, 88])      // round by round: w1, w2, w1, w2, w1
        #expect(out.filter { $0.worker == w1 }.reduce(0) { $0 + $1.jobs.count } == 600)
        #expect(out.flatMap(\.jobs).map(\.id) == (0..<900).map { "i\($0)" })
        #expect(c.readyCount == 100)
        #expect(c.dispatch(now: 1_000).isEmpty)
    }

    @Test func workersGetOnlyTheKindsTheyTakeOldestFirst() {
        let c = core()
        for d in c.publish([item("p1"), item("l1", kind: "lead"), item("p2"), item("l2", kind: "lead"), item("n1", kind: "news")], now: 1_000) {
            if case .accept(let i) = d { c.accepted(i, segment: 1) }
        }
        let leadsOnly = Hello(name: "leads", host: "h", pid: 3, incarnation: "k", concurrency: 1, version: "1", kinds: ["lead", "weather"])
        c.hello(w1, leadsOnly, now: 1_000)
        c.credit(w1, 10)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).map(\.id) == ["l1", "l2"])
        c.hello(w2, hello2, now: 1_000)              // no kinds listed: every kind
        c.credit(w2, 2)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).map(\.id) == ["p1", "p2"])
        c.credit(w2, 2)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).map(\.id) == ["n1"])
        #expect(c.readyCount == 0)
    }

    @Test func aSecondHelloOfTheSameProcessKeepsItsJobsAndBurnsNoAttempts() {
        let c = core { $0.retryBaseMillis = 100 }
        accept(c, ["a", "b", "c"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 2)
        let first = c.dispatch(now: 1_000).flatMap(\.jobs)
        #expect(first.count == 2)
        c.hello(w1, hello, now: 1_100)             // the worker heard nothing and says HELLO again
        #expect(c.knows(w1))
        #expect(c.inFlightCount == 2)              // its jobs stay with it
        #expect(c.dispatch(now: 1_100).isEmpty)    // and its credit starts again from 0
        c.hello(w2, hello, now: 1_200)             // the same process on a new connection takes them over
        #expect(!c.knows(w1) && c.knows(w2))
        c.done(w2, first.map(\.delivery), now: 1_250)
        #expect(c.queuedCount == 1)
        c.credit(w2, 3)
        #expect(c.dispatch(now: 1_300).flatMap(\.jobs).map(\.attempt) == [1])
    }

    /// A new process of the same key on the same connection: the old registration's jobs go
    /// back to the queue without counting their attempt.
    @Test func aHelloOfAnotherProcessOnTheSameConnectionResetsIt() {
        let c = core { $0.retryBaseMillis = 100 }
        accept(c, ["a", "b", "c"])
        c.hello(w1, hello, principal: "key-1", now: 1_000)
        c.credit(w1, 2)
        let first = c.dispatch(now: 1_000).flatMap(\.jobs)
        var restarted = hello
        restarted.incarnation = "i2"
        #expect(c.hello(w1, restarted, principal: "key-1", now: 1_100) == nil)
        #expect(c.inFlightCount == 0)              // its jobs in hand go back to the queue
        c.done(w1, first.map(\.delivery), now: 1_150)   // DONE for the old deliveries counts for nothing
        #expect(c.queuedCount == 3)
        c.credit(w1, 3)
        #expect(c.dispatch(now: 1_150).flatMap(\.jobs).map(\.attempt).sorted() == [1, 1, 1])
    }

    /// The same key restarted (kill -9): its old registration goes at once, and its jobs are
    /// delivered again without counting the lost attempt.
    @Test func aRestartedWorkerReplacesItsOldRegistrationAtOnce() {
        let c = core { $0.retryBaseMillis = 100 }
        accept(c, ["a", "b"])
        c.hello(w1, hello, principal: "key-1", now: 1_000)
        c.credit(w1, 2)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).count == 2)
        var restarted = hello
        restarted.incarnation = "i2"
        #expect(c.hello(w2, restarted, principal: "key-1", now: 1_100) == nil)  // same name and host, new process: w1 is gone
        #expect(!c.knows(w1))
        #expect(c.inFlightCount == 0)
        c.credit(w2, 2)
        #expect(c.dispatch(now: 1_100).flatMap(\.jobs).map(\.attempt) == [1, 1])
    }

    /// Another key (or, without CURVE, another process) claiming a live name is refused; once the
    /// holder's heartbeats lapse the name is free again.
    @Test func aLiveNameIsNotTakenByAnotherPrincipal() throws {
        let c = core()
        accept(c, ["a"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 1)
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).count == 1)
        var other = hello
        other.incarnation = "i2"
        #expect(c.hello(w2, other, now: 1_100)?.errors.first?.code == "name_in_use")
        #expect(c.knows(w1) && !c.knows(w2) && c.inFlightCount == 1)
        _ = c.tick(now: 1_000 + c.settings.heartbeatMillis * c.settings.heartbeatLiveness + 1)
        #expect(c.hello(w2, other, now: 5_000) == nil)
    }

    @Test func extendRestartsTheLeasesOfTheHoldersJobsOnly() {
        let c = core { $0.leaseMillis = 1_000 }
        accept(c, ["a"])
        c.hello(w1, hello, now: 1_000)
        c.hello(w2, hello2, now: 1_000)
        c.credit(w1, 1)
        let job = c.dispatch(now: 1_000).flatMap(\.jobs)[0]
        c.extend(w2, [job.delivery], now: 1_900)   // not its job: ignored
        c.extend(w1, [job.delivery, 12345], now: 1_800)
        c.seen(w1, now: 2_500)
        c.seen(w2, now: 2_500)
        _ = c.tick(now: 2_500)                     // past the first lease, inside the extended one
        #expect(c.inFlightCount == 1)
        _ = c.tick(now: 2_801)
        #expect(c.inFlightCount == 0)
    }

    @Test func aWorkerThatLetsALeaseLapseLosesItsCreditAndTheJobGoesElsewhere() {
        let c = core { $0.leaseMillis = 1_000 }
        accept(c, ["a", "b"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 1_000_000)                    // hoards credit, never answers
        #expect(c.dispatch(now: 1_000).flatMap(\.jobs).count == 2)
        c.hello(w2, hello2, now: 1_500)
        c.credit(w2, 10)
        c.seen(w1, now: 2_100)
        c.seen(w2, now: 2_100)
        _ = c.tick(now: 2_100)
        let again = c.dispatch(now: 2_100)
        #expect(again.map(\.worker) == [w2], "redeliveries went to \(again.map(\.worker))")
        #expect(again.flatMap(\.jobs).map(\.attempt) == [2, 2])
    }

    /// Credit beyond the broker's `--max-credit` is not granted, and the call says so (the
    /// broker answers `ERR credit_limit`).
    @Test func creditIsCappedAtTheBrokersMaximum() {
        let c = core()
        c.hello(w1, hello, now: 1_000)
        #expect(c.credit(w1, c.settings.maxCredit))
        #expect(!c.credit(w1, WorkerMessage.maxCredit))
        #expect(c.workerList.first?.credit == c.settings.maxCredit)
    }

    @Test func theQueueLimitHoldsPerItemWithinOnePub() {
        let c = core { $0.maxQueuedItems = 20 }
        let decisions = c.publish((0..<60).map { item("q\($0)") }, now: 1_000)
        #expect(decisions.filter { if case .accept = $0 { true } else { false } }.count == 20)
        #expect(decisions.filter { if case .busy = $0 { true } else { false } }.count == 40)
    }

    @Test func oneIDUnderTwoKindsInOnePubIsRefusedAsAmbiguous() {
        let c = core()
        let decisions = c.publish([item("x", kind: "news"), item("x", kind: "lead"), item("x", kind: "news")], now: 1_000)
        guard case .accept = decisions[0] else { Issue.record("first not accepted"); return }
        if case .refuse(let id, let e) = decisions[1] {
            #expect(id == Array("x".utf8))
            #expect(e.errors.first?.code == "ambiguous_id")
        } else { Issue.record("the same id under another kind was not refused: \(decisions[1])") }
        #expect(decisions[2] == .duplicate("x"))
    }

    @Test func aPubwAnsweredDupHearsTheFinOfTheItemQueuedOrFinished() {
        let c = core()
        let p1: [[UInt8]] = [[1]], p2: [[UInt8]] = [[2]]
        for d in c.publish([item("a"), item("b")], now: 1_000, watcher: p1) {
            if case .accept(let i) = d { c.accepted(i, segment: 1, watcher: p1) }
        }
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 1)
        let jobA = c.dispatch(now: 1_000).flatMap(\.jobs)[0]
        c.done(w1, [jobA.delivery], now: 1_010)
        _ = c.takeFinNotices()
        // a is finished, b is queued: a resend of both by another producer hears both outcomes.
        #expect(c.publish([item("a"), item("b")], now: 1_100, watcher: p2) == [.duplicate("a"), .duplicate("b")])
        #expect(c.takeFinNotices().map { $0.envelope } == [p2])
        c.credit(w1, 1)
        let jobB = c.dispatch(now: 1_200).flatMap(\.jobs)[0]
        c.fail(w1, jobB.delivery, retryable: false, ErrorBody(code: "checksum", message: "x"), now: 1_210)
        let notices = c.takeFinNotices()
        #expect(Set(notices.map { $0.envelope }) == [p1, p2])
        #expect(notices.allSatisfy { $0.outcome == .dead && $0.ids == ["b"] })
    }

    @Test func aLapsedLeaseIsRedeliveredWithTheNextAttempt() {
        let c = core { $0.leaseMillis = 1_000; $0.retryBaseMillis = 100 }
        accept(c, ["a"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 10)
        let first = c.dispatch(now: 1_000).flatMap(\.jobs)
        c.seen(w1, now: 1_900)
        _ = c.tick(now: 1_900)                    // inside the lease: nothing happens
        #expect(c.dispatch(now: 1_900).isEmpty)
        c.seen(w1, now: 2_300)
        _ = c.tick(now: 2_300)                    // lease lapsed: ready again at once (4.4)
        #expect(c.dispatch(now: 2_300).isEmpty)    // but the worker lost its credit (4.3)
        c.credit(w1, 1)
        let second = c.dispatch(now: 2_300).flatMap(\.jobs)
        #expect(second.map(\.id) == ["a"])
        #expect(second.first?.attempt == 2)
        #expect(second.first?.delivery != first.first?.delivery)
        c.done(w1, [first[0].delivery], now: 2_300)           // the late answer to the lapsed delivery counts for nothing
        #expect(c.queuedCount == 1)
        #expect(c.stats.redelivered == 1)
    }

    @Test func validationFailuresAndExhaustedRetriesBecomeDeadLetters() {
        let c = core { $0.maxAttempts = 2; $0.retryBaseMillis = 10 }
        accept(c, ["invalid", "flaky"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 10)
        var jobs = c.dispatch(now: 1_000).flatMap(\.jobs)
        let error = ErrorBody(path: "/title", code: "required", message: "'title' is required")
        c.fail(w1, jobs[0].delivery, retryable: false, error, now: 1_000)
        c.fail(w1, jobs[1].delivery, retryable: true, ErrorBody(code: "unavailable", message: "store down"), now: 1_000)
        var dead = c.takeDeadLetters()
        #expect(dead.map(\.item.id) == ["invalid"])
        #expect(dead.first?.reason == error)
        _ = c.tick(now: 1_100)
        jobs = c.dispatch(now: 1_100).flatMap(\.jobs)
        #expect(jobs.map(\.attempt) == [2])
        c.fail(w1, jobs[0].delivery, retryable: true, ErrorBody(code: "unavailable", message: "store down"), now: 1_100)
        dead = c.takeDeadLetters()
        #expect(dead.map(\.item.id) == ["flaky"])
        #expect(dead.first?.attempts == 2)
        #expect(c.queuedCount == 0)
        #expect(c.takeFinished().dead.count == 2)
    }

    @Test func aSilentWorkersJobsGoToAnotherWorker() {
        let c = core { $0.heartbeatMillis = 100; $0.retryBaseMillis = 10 }
        accept(c, ["a"])
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 1)
        #expect(c.dispatch(now: 1_000).first?.worker == w1)
        c.hello(w2, hello2, now: 1_300)
        c.credit(w2, 1)
        let dropped = c.tick(now: 1_350)          // w1 silent for 3.5 heartbeats
        #expect(dropped == [w1])
        _ = c.tick(now: 1_400)
        c.seen(w2, now: 1_400)
        let again = c.dispatch(now: 1_400)
        #expect(again.first?.worker == w2)
        #expect(again.first?.jobs.first?.attempt == 2)
    }
}

@Suite("Journal: recovery after a crash")
struct JournalTests {
    @Test func recoversPendingItemsDedupEntriesAndCutsATornTail() throws {
        let dir = ScratchFolder.make("journal")
        let journal = try Journal(directory: dir)
        _ = try journal.recover()
        for seq in 1...3 {
            journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "i\(seq)", kind: "news", body: Array("{}".utf8)))
        }
        journal.appendFinished([(seq: 2, segment: journal.currentSegment, kind: "news")])
        try journal.flush(sync: true)
        // A crash in the middle of writing a record leaves a torn tail.
        let segment = dir.appendingPathComponent(String(format: "seg-%08d.log", journal.currentSegment))
        let h = try FileHandle(forWritingTo: segment)
        try h.seekToEnd()
        try h.write(contentsOf: [40, 0, 0, 0, 1, 2, 3])
        try h.close()

        let reopened = try Journal(directory: dir)
        let recovery = try reopened.recover()
        #expect(recovery.pending.map(\.item.id) == ["i1", "i3"])
        #expect(recovery.accepted.map(\.id) == ["i1", "i2", "i3"])
        #expect(recovery.accepted.map(\.state) == [.queued, .done, .queued], "how each item stands survives, for DUP + FIN")
        #expect(recovery.nextSeq == 4)
        #expect(recovery.truncatedBytes == 7)
        #expect(recovery.pending.first?.item.body == Array("{}".utf8))
    }
}

@Suite("CRC-32C of journal records")
struct CRC32CTests {
    @Test func knownAnswers() {
        func crc(_ s: String) -> UInt32 { Array(s.utf8).withUnsafeBytes { CRC32C.checksum($0) } }
        #expect(crc("123456789") == 0xE306_9283)                 // the standard check value
        #expect(crc("") == 0)
        // 32 bytes of zeros (RFC 3720, iSCSI test vector).
        #expect([UInt8](repeating: 0, count: 32).withUnsafeBytes { CRC32C.checksum($0) } == 0x8A91_36AA)
    }

    /// The SSE4.2 path (used on this machine) and the table fallback agree on every length from
    /// 0 to 300 at every alignment within 8 bytes, keyed and unkeyed.
    @Test func theInstructionAndTheTableAgree() {
        var rng = SystemRandomNumberGenerator()
        let data = (0..<320).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let key = UInt32.random(in: 1...UInt32.max, using: &rng)
        data.withUnsafeBytes { all in
            for offset in 0..<8 {
                for length in 0...300 {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    #expect(CRC32C.checksum(slice) == kz_crc32c_table(0, slice.baseAddress, slice.count), "length \(length), offset \(offset)")
                    #expect(CRC32C.checksum(slice, key: key) == kz_crc32c_table(key, slice.baseAddress, slice.count))
                }
            }
        }
    }
}

@Suite("DedupWindow: sharded ids with chunked expiry")
struct DedupWindowTests {
    @Test func updateRestoreTrackAndExpire() {
        var w = DedupWindow()
        let a = DedupKey(kind: 0, id: "a"), b = DedupKey(kind: 1, id: "a")
        #expect(w.update(a, 10) == nil)
        w.track(a, 10)
        #expect(w.update(b, 11) == nil)          // the same id under another kind is another item
        w.restore(b, nil)                        // undone: as if never seen
        #expect(w.acceptedAt(b) == nil)
        #expect(w.update(a, 20) == 10)
        w.restore(a, 10)
        #expect(w.acceptedAt(a) == 10)
        w.setState(.done, of: a)
        // Finished items: the window forgets them by time and by the limit.
        for i in 0..<10_000 { w.remember(DedupKey(kind: 0, id: "i\(i)"), 100 + UInt64(i), state: .done) }
        #expect(w.count == 10_001)
        w.expire(before: 5_100)      // a (10) and i0…i4999 (100…5099) go
        #expect(w.acceptedAt(a) == nil)
        #expect(w.acceptedAt(DedupKey(kind: 0, id: "i4999")) == nil)
        #expect(w.acceptedAt(DedupKey(kind: 0, id: "i5000")) == 5_100)
        #expect(w.count == 5_000)
        #expect(w.expire(before: 0, limit: 4_000) == 1_000)   // over the limit: the oldest leave early
        #expect(w.acceptedAt(DedupKey(kind: 0, id: "i5999")) == nil)
        #expect(w.acceptedAt(DedupKey(kind: 0, id: "i6000")) == 6_100)
        w.expire(before: .max)
        #expect(w.count == 0)
    }

    /// An item still queued (or out with a worker) is never forgotten, by time or by the limit:
    /// a copy published however late is a duplicate. Once finished, it goes a window later, and
    /// while it waits it is not looked at on every call.
    @Test func queuedItemsStayUntilTheyFinish() {
        var w = DedupWindow()
        let waiting = DedupKey(kind: 0, id: "waiting"), finished = DedupKey(kind: 0, id: "finished")
        w.remember(waiting, 10)
        w.remember(finished, 10, state: .done)
        #expect(w.expire(before: 1_000, limit: 0) == 0)
        #expect(w.state(of: waiting) == .queued)
        #expect(w.acceptedAt(finished) == nil)
        #expect(w.count == 1)
        w.expire(before: 2_000)
        #expect(w.state(of: waiting) == .queued)
        w.finished(waiting, .done, at: 2_600)    // remembered from its finish
        w.expire(before: 2_500)
        #expect(w.count == 1)
        w.expire(before: 3_000)
        #expect(w.count == 0)
    }

    @Test("the fingerprint table matches a dictionary over random inserts, updates and removals")
    func fingerprintTableAgainstDictionary() {
        var table = FingerprintTable()
        var model: [DedupKey: UInt64] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<100_000 {
            let key = DedupKey(kind: Int.random(in: 0..<2, using: &rng), id: "id-\(Int.random(in: 0..<5000, using: &rng))")
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: #expect(table.updateValue(UInt64(step), forKey: key) == model.updateValue(UInt64(step), forKey: key))
            case 1: #expect(table.removeValue(forKey: key) == model.removeValue(forKey: key))
            default: #expect(table[key] == model[key])
            }
            #expect(table.count == model.count)
        }
        for (key, millis) in model { #expect(table[key] == millis) }
    }

    @Test("a million distinct ids of similar shape get a million distinct fingerprints; equal ids equal ones")
    func fingerprintsTellIDsApart() {
        var seen = Set<DedupKey>()
        for i in 0..<1_000_000 { seen.insert(DedupKey(kind: i & 1, id: "bench-\(i >> 1)")) }
        #expect(seen.count == 1_000_000)
        #expect(DedupKey(kind: 0, id: "bench-7") == DedupKey(kind: 0, id: "bench-7"))
        #expect(DedupKey(kind: 0, id: "bench-7") != DedupKey(kind: 1, id: "bench-7"))
        #expect(DedupKey(kind: 0, id: "bench-7") != DedupKey(kind: 0, id: "bench-70"))
    }
}
