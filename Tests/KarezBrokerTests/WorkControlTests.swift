import Foundation
import KarezProtocol
import KarezTestSupport
import Testing
@testable import KarezBroker

/// An item with options, accepted at `now`.
private func publish(_ c: BrokerCore, _ id: String, kind: String = "patient", options: ItemOptions = ItemOptions(), now: UInt64 = 1_000,
                     watcher: [[UInt8]]? = nil) {
    let item = PublishedItem(id: id, kind: kind, body: Array("{}".utf8), options: options)
    for d in c.publish([item], now: now, watcher: watcher) {
        if case .accept(let i) = d { c.accepted(i, segment: 1, watcher: watcher) }
    }
}

private func core(_ configure: (inout BrokerSettings) -> Void = { _ in }) -> BrokerCore {
    var s = BrokerSettings()
    configure(&s)
    return BrokerCore(settings: s, now: 1_000)
}

private let w1: [UInt8] = [1]
private let hello = Hello(name: "w", host: "h", pid: 1, incarnation: "i", concurrency: 1, version: "1", accepts: Hello.extensions)

/// The ids handed out at `now`, in order.
private func ids(_ c: BrokerCore, now: UInt64) -> [String] { c.dispatch(now: now).flatMap { $0.jobs.map(\.id) } }

@Suite("Control over work in the broker's state machine: delays, priorities, expiry, limits, pause, cancel")
struct WorkControlCoreTests {
    @Test func aDelayedItemWaitsForItsTimeAndThenGoesAtOnce() {
        let c = core()
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 10)
        // Accepted in millisecond 1000, so by 1001: its 500 ms end at 1501, never earlier.
        publish(c, "later", options: ItemOptions(start: .after(milliseconds: 500)))
        publish(c, "now")
        c.releaseDue(now: 1_000)
        #expect(ids(c, now: 1_000) == ["now"])
        #expect(c.scheduledItems == 1)
        #expect(c.wakeDelay(now: 1_200) == 301, "the loop wakes for the scheduled item")
        c.releaseDue(now: 1_500)
        #expect(ids(c, now: 1_500).isEmpty)
        c.releaseDue(now: 1_501)
        #expect(ids(c, now: 1_501) == ["later"])
        #expect(c.scheduledItems == 0)
    }

    @Test func higherPrioritiesGoFirstFifoWithinOneAndAgingPreventsStarvation() {
        let c = core { $0.priorityAgingMillis = 1_000 }
        for (i, p) in [0, 9, 5, 9, 0, 5].enumerated() { publish(c, "p\(p)-\(i)", options: ItemOptions(priority: p)) }
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 6)
        #expect(ids(c, now: 1_000) == ["p9-1", "p9-3", "p5-2", "p5-5", "p0-0", "p0-4"])

        // A priority-0 item that has waited 9 agings ranks with a fresh priority 9, and being
        // older, goes first.
        let d = core { $0.priorityAgingMillis = 1_000 }
        publish(d, "old", now: 1_000)
        publish(d, "urgent", options: ItemOptions(priority: 9), now: 9_999)
        d.hello(w1, hello, now: 10_000)
        d.credit(w1, 1)
        #expect(ids(d, now: 9_999) == ["urgent"], "before 9 agings the urgent item goes first")
        publish(d, "urgent-2", options: ItemOptions(priority: 9), now: 10_000)
        d.credit(w1, 1)
        #expect(ids(d, now: 10_000) == ["old"], "after 9 agings the old item is not passed over again")
    }

    @Test func anItemNotStartedByItsExpiryEndsExpiredAndItsWatcherHearsIt() {
        let c = core()
        let producer: [[UInt8]] = [[9]]
        // Accepted in millisecond 1000, so by 1001: 100 ms to live end at 1101, never earlier.
        publish(c, "short", options: ItemOptions(expiry: .after(milliseconds: 100)), watcher: producer)
        publish(c, "long", options: ItemOptions(expiry: .after(milliseconds: 10_000)))
        c.releaseDue(now: 1_100)
        #expect(c.queuedCount == 2 && c.stats.expired == 0, "expired a millisecond early")
        c.releaseDue(now: 1_101)
        #expect(c.queuedCount == 1)
        #expect(c.stats.expired == 1)
        #expect(c.takeFinNotices().map { $0.outcome } == [.expired])
        #expect(c.takeFinished().expired.map(\.seq) == [1])
        c.hello(w1, hello, now: 1_101)
        c.credit(w1, 5)
        #expect(ids(c, now: 1_101) == ["long"], "the expired item is not delivered")
        // Started in time, it runs on past its expiry; a retry after it may not start.
        c.fail(w1, c.deliveryTags.first!, retryable: true, ErrorBody(code: "internal", message: "x"), now: 20_000)
        #expect(c.queuedCount == 0)
        #expect(c.stats.expired == 2)
    }

    @Test func aConcurrencyLimitHoldsAcrossWorkersAndPauseStopsDispatch() {
        let c = core()
        for i in 0..<20 { publish(c, "i\(i)") }
        #expect(c.apply(.limit(kind: "patient", concurrency: 5, rate: nil)) == nil)
        c.hello(w1, hello, now: 1_000)
        c.hello([2], Hello(name: "w2", host: "h", pid: 2, incarnation: "j", concurrency: 1, version: "1"), now: 1_000)
        c.credit(w1, 100)
        c.credit([2], 100)
        #expect(ids(c, now: 1_000).count == 5)
        #expect(ids(c, now: 1_001).isEmpty)
        c.done(w1, Array(c.deliveryTags.prefix(2)).filter { c.holder(of: $0) == w1 }, now: 1_002)
        let freed = 5 - c.inFlightCount
        #expect(ids(c, now: 1_003).count == freed)
        #expect(c.inFlightCount == 5)
        #expect(c.apply(.pause(kind: "patient")) == nil)
        c.done(w1, c.deliveryTags.filter { c.holder(of: $0) == w1 }, now: 1_004)
        c.done([2], c.deliveryTags.filter { c.holder(of: $0) == [2] }, now: 1_004)
        #expect(ids(c, now: 1_005).isEmpty, "paused: nothing goes")
        #expect(c.apply(.resume(kind: "patient")) == nil)
        #expect(ids(c, now: 1_006).count == 5)
        #expect(c.apply(.pause(kind: "weather"))?.errors.first?.code == "unknown_kind")
    }

    @Test func aRateLimitAllowsABurstOfATenthOfASecondThenTheRate() {
        let c = core()
        for i in 0..<3_000 { publish(c, "i\(i)") }
        _ = c.apply(.limit(kind: "patient", concurrency: nil, rate: 200))
        c.hello(w1, hello, now: 1_000)
        var handedOut = 0
        // Ten seconds in 5 ms turns, answering every job at once.
        for t in stride(from: UInt64(1_000), to: 11_000, by: 5) {
            c.credit(w1, 100)
            handedOut += ids(c, now: t).count
            c.done(w1, c.deliveryTags, now: t)
        }
        #expect(abs(handedOut - 2_020) <= 5, "200/s for 10 s plus the burst of 20, got \(handedOut)")
    }

    @Test func cancelEndsQueuedScheduledAndInFlightItemsAndSaysWhatItCouldNot() {
        let c = core()
        let producer: [[UInt8]] = [[9]]
        publish(c, "queued", watcher: producer)
        publish(c, "scheduled", options: ItemOptions(start: .after(milliseconds: 60_000)))
        publish(c, "flying")
        publish(c, "done")
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 1)
        _ = c.cancel(kind: "patient", ids: ["queued"], now: 1_000)
        #expect(ids(c, now: 1_000) == ["flying"])
        c.credit(w1, 1)
        #expect(ids(c, now: 1_000) == ["done"])
        c.done(w1, c.deliveryTags.filter { c.delivery($0)?.id == "done" }, now: 1_001)
        let result = c.cancel(kind: "patient", ids: ["scheduled", "flying", "done", "nobody"], now: 1_002)
        #expect(result.cancelled == ["scheduled", "flying"])
        #expect(result.finished.map(\.id) == ["done"])
        #expect(result.unknown == ["nobody"])
        #expect(result.notices.count == 1 && result.notices[0].deliveries.count == 1, "the worker holding it is told")
        #expect(c.queuedCount == 0 && c.inFlightCount == 0 && c.scheduledItems == 0 && c.readyCount == 0)
        #expect(c.stats.cancelled == 3)
        #expect(c.takeFinNotices().flatMap { $0.outcome == .cancelled ? $0.ids : [] } == ["queued"])
        c.releaseDue(now: 70_000)
        c.credit(w1, 5)
        #expect(ids(c, now: 70_000).isEmpty, "a cancelled scheduled item never goes")
        // A resend of a cancelled item is a duplicate within the window, and hears FIN cancelled.
        #expect(c.publish([PublishedItem(id: "queued", kind: "patient", body: Array("{}".utf8))], now: 70_001, watcher: producer) == [.duplicate("queued")])
        #expect(c.takeFinNotices().first?.outcome == .cancelled)
    }
}

@Suite("Control over work: what an attacker or a careless producer could do to the broker")
struct WorkControlLimitsTests {
    /// Items with a time to live that finish long before it leave no entry behind for long: the
    /// heaps stay bounded by the queue, however far off their deadlines are.
    @Test func finishedItemsDoNotPileUpInTheTimerHeaps() {
        let c = core()
        c.hello(w1, hello, now: 1_000)
        var now: UInt64 = 1_000
        for round in 0..<30 {
            for i in 0..<200 {
                publish(c, "t-\(round)-\(i)", options: ItemOptions(start: .after(milliseconds: 366 * 86_400_000), expiry: .after(milliseconds: 366 * 86_400_000)), now: now)
            }
            _ = c.cancel(kind: "patient", ids: (0..<200).map { "t-\(round)-\($0)" }, now: now)
            now += 1
            c.releaseDue(now: now)
        }
        #expect(c.queuedCount == 0 && c.stats.cancelled == 6_000)
        #expect(c.timerEntries.scheduled <= 1_024 + 200 && c.timerEntries.deadlines <= 1_024 + 200, "\(c.timerEntries)")
    }

    /// A rate so low that its next token lies beyond any clock is refused; a damaged or
    /// impossible control.json stops the start with what to do.
    @Test func impossibleLimitsAreRefused() throws {
        guard case .failure(let e) = ControlRequest.decode(Array(#"{"action":"limit","kind":"news","rate":1e-17}"#.utf8)) else {
            Issue.record("a rate of 1e-17 was accepted")
            return
        }
        #expect(e.errors.first?.path == "/rate" && e.errors.first?.code == "minimum")
        let dir = ScratchFolder.make("control-file")
        let url = dir.appendingPathComponent("control.json")
        try Data(#"{"news":{"paused":true,"concurrency":-1,"rate":0}}"#.utf8).write(to: url)
        #expect(throws: BrokerError.self) { try ControlFile.load(url) }
        try Data("{not json".utf8).write(to: url)
        do { _ = try ControlFile.load(url); Issue.record("a damaged control.json was read") } catch {
            #expect("\(error)".contains("remove it to start with none"))
        }
        try ControlFile.save(["news": KindControlSettings(paused: true, concurrency: 5, rate: 200)], to: url)
        #expect(try ControlFile.load(url)["news"] == KindControlSettings(paused: true, concurrency: 5, rate: 200))
    }

    /// An item that expired while a worker held it, given back uncounted (its worker died
    /// holding others too), ends `expired` at once instead of waiting for a dispatch.
    @Test func anExpiredItemGivenBackEndsExpired() {
        let c = core()
        publish(c, "a", options: ItemOptions(expiry: .after(milliseconds: 100)))
        publish(c, "b")
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 2)
        _ = c.dispatch(now: 1_000)
        _ = c.apply(.pause(kind: "patient"))
        c.remove(w1, now: 2_000, as: .died)
        #expect(c.stats.expired == 1 && c.queuedCount == 1)
    }
}

@Suite("Journal: items with options and how they ended survive a restart")
struct WorkControlJournalTests {
    @Test func optionsAndEndStatesAreRecovered() throws {
        let dir = ScratchFolder.make("journal-options")
        let journal = try Journal(directory: dir)
        _ = try journal.recover()
        let meta = ItemMeta(notBefore: 5_000, expiresAt: 9_000, priority: 7, traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        for seq in 1...4 {
            journal.appendEnqueue(JournalItem(seq: UInt64(seq), enqueuedMillis: 1_000, id: "i\(seq)", kind: "news", body: Array("{}".utf8),
                                              meta: seq == 1 ? meta : ItemMeta()))
        }
        var ended = FinishedItems()
        ended.expired.append((seq: 2, segment: journal.currentSegment, kind: "news"))
        ended.cancelled.append((seq: 3, segment: journal.currentSegment, kind: "news"))
        journal.appendFinished(ended, now: 700_000)
        try journal.flush(sync: true)

        let recovery = try Journal(directory: dir).recover()
        #expect(recovery.pending.map(\.item.id) == ["i1", "i4"])
        #expect(recovery.pending.first?.item.meta == meta)
        #expect(recovery.accepted.map(\.state) == [.queued, .expired, .cancelled, .queued])
        #expect(recovery.accepted.map(\.millis) == [1_000, 700_000, 700_000, 1_000], "the dedup window counts from when they ended")
        #expect(recovery.lifetime.expired == ["news": 1] && recovery.lifetime.cancelled == ["news": 1])

        // Restored, the delayed item waits for its time, with its priority and trace.
        let c = BrokerCore(settings: BrokerSettings(), now: 1_000)
        c.restore(recovery)
        c.hello(w1, hello, now: 1_000)
        c.credit(w1, 10)
        c.releaseDue(now: 1_000)
        #expect(c.dispatch(now: 1_000).flatMap { $0.jobs.map(\.id) } == ["i4"])
        c.releaseDue(now: 5_000)
        let jobs = c.dispatch(now: 5_000).flatMap(\.jobs)
        #expect(jobs.map(\.id) == ["i1"])
        #expect(jobs.first?.traceparent == meta.traceparent, "a worker that accepts JOBX gets the trace")
    }
}

@Suite("Item options: the PUBX options frame")
struct ItemOptionsTests {
    @Test func framesRoundTripAndMistakesAreNamed() throws {
        let o = ItemOptions(start: .after(milliseconds: 30_000), priority: 7, expiry: .at(unixMilliseconds: 1_796_579_703_000),
                            traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
        #expect(try ItemOptions.decode(o.frame).get() == o)
        #expect(ItemOptions().frame.isEmpty)
        func codes(_ text: String) -> [String] {
            guard case .failure(let e) = ItemOptions.decode(Array(text.utf8)) else { return [] }
            return e.errors.map { "\($0.path) \($0.code)" }
        }
        #expect(codes(#"{"priority": 10}"#) == ["/options/priority maximum"])
        #expect(codes(#"{"priority": 1.5}"#) == ["/options/priority type"])
        #expect(codes(#"{"delay_ms": 5, "not_before": "2026-12-06T18:00:00Z"}"#) == ["/options/not_before inconsistent"])
        #expect(codes(#"{"not_before": "tomorrow"}"#) == ["/options/not_before format"])
        #expect(codes(#"{"ttl_ms": 0}"#) == ["/options/ttl_ms minimum"])
        #expect(codes(#"{"traceparent": "00-00000000000000000000000000000000-00f067aa0ba902b7-01"}"#) == ["/options/traceparent pattern"])
        #expect(codes(#"{"delay": 5}"#) == ["/options/delay unknown_field"])
        #expect(codes("[1]") == ["/options not_object"])
        #expect(codes("{") .first?.hasPrefix("/options ") == true)
        #expect(try ItemOptions.decode(Array(#"{"not_before": "2026-12-06T18:00:00+08:00"}"#.utf8)).get().start == .at(unixMilliseconds: 1_796_551_200_000))
        #expect(RFC3339.format(epochSeconds: 1_796_551_200) == "2026-12-06T10:00:00.000Z")
    }
}
