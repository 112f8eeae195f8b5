import Logging
import Foundation
import KarezMetrics
import KarezProtocol
import KarezWire
import ZeroMQ
import ZeroMQLoop

/// The broker's loop: owns the front and back ROUTER sockets, the journal and the
/// ``BrokerCore``, on the one thread of its ``SocketLoop``. Bodies pass through as bytes; the
/// broker never parses them.
final class BrokerHandler: SocketHandler {
    typealias Command = Never
    typealias Event = BrokerEvent

    let service: BrokerService
    let settings: BrokerSettings
    let frontSocket: Socket
    let backSocket: Socket
    let journal: Journal
    let deadLetters: DeadLetterFile
    let core: BrokerCore
    let frontEndpoint: String
    let backEndpoint: String
    /// Front and back messages, each bounded as a whole (PROTOCOL.md 9).
    private let frontMessage: Multipart
    private let backMessage: Multipart
    private var message: Multipart { frontMessage }
    private let incarnation = UUID().uuidString.lowercased()
    private var announced = false
    /// Leases, heartbeats and backoff on a monotonic clock anchored at the start's wall time.
    private let clock = BrokerClock()
    private var lastHeartbeat: UInt64 = 0
    private var lastReclaim: UInt64 = 0
    private var lastTick: UInt64 = 0
    private var lastMetrics: UInt64 = 0
    /// Set after a message over the limits or of many frames: free memory goes back to the
    /// system at the next housekeeping (at most once a second).
    private var trimDue = false
    /// Producers that send packed messages, and so get packed replies.
    private var packingPeers = PackingPeers()
    private var lastTrim: UInt64 = 0
    /// Times the loop's steps and logs one that holds it long (``StallWatch``).
    private let stallWatch: StallWatch
    private let metricsSender: MetricsSender?
    private var snapshotClock: SnapshotClock
    /// Counters (other than the journalled item counts) and histograms of earlier runs of this
    /// broker, and where they are kept (see ``BrokerMetricsCheckpoint``).
    private let carried: MetricSet
    private let checkpointURL: URL
    /// Where the operator's pause and limits are kept (``KindControlSettings``).
    private let controlURL: URL

    init(service: BrokerService) throws {
        self.service = service
        settings = service.settings
        stallWatch = StallWatch(threshold: .milliseconds(settings.stallMillis))
        journal = try Journal(directory: service.dataDirectory.appendingPathComponent("journal"))
        deadLetters = try DeadLetterFile(url: service.dataDirectory.appendingPathComponent("dead-letters.jsonl"), redact: service.settings.redactBody)
        core = BrokerCore(settings: settings, now: BrokerClock.wallMillis())
        let recovery = try journal.recover()
        core.restore(recovery)
        checkpointURL = service.dataDirectory.appendingPathComponent("broker-metrics.json")
        let checkpoint = try BrokerMetricsCheckpoint.load(checkpointURL)
        let (carried, dropped) = checkpoint?.carried() ?? (MetricSet(), 0)
        self.carried = carried
        if dropped > 0 {
            Logger(label: "karez.broker").warning("left out entries of broker-metrics.json that no broker writes (edited or damaged by hand); the others are carried on",
                                                  metadata: ["file": "\(checkpointURL.path)", "entries": "\(dropped)"])
        }
        core.startCounts(from: recovery.lifetime)
        controlURL = service.dataDirectory.appendingPathComponent("control.json")
        core.restoreControls(try ControlFile.load(controlURL))
        frontMessage = Multipart(limits: settings.frontMessageLimits)
        backMessage = Multipart(limits: settings.backMessageLimits)
        frontSocket = try Socket(service.context, .router)
        backSocket = try Socket(service.context, .router)
        for socket in [frontSocket, backSocket] {
            // A frame may pass the message limit a little (a packed message's length prefixes), so
            // such a message is read and answered `ERR too_large` rather than its connection dropped.
            try socket.set(.maxMessageSize(max(16 << 20, settings.maxItemBytes + (64 << 10)) + (64 << 10)))
            try socket.set(.receiveHighWaterMark(1000))
            try socket.set(.linger(.milliseconds(200)))
            try socket.set(.heartbeat(interval: .seconds(2), timeout: .seconds(10), ttl: .seconds(20)))
        }
        // A producer that does not read its replies loses them beyond this; a worker that does
        // not read its jobs is let go (``sendToWorker``), so neither grows the broker.
        try frontSocket.set(.sendHighWaterMark(10_000))
        // Credit bounds the JOB messages out with a worker: only one that stopped reading (and
        // so piles up heartbeats) reaches this.
        try backSocket.set(.sendHighWaterMark(settings.maxCredit + 1024))
        try backSocket.set(.routerMandatory(true))
        if let access = settings.access {
            try access.secure(frontSocket, endpoint: "front")
            try access.secure(backSocket, endpoint: "back")
        }
        do { try frontSocket.bind(service.front) } catch { throw BrokerError(.endpoint, "cannot bind the front endpoint \(service.front): \(error); is another broker running? (--front)") }
        do { try backSocket.bind(service.back) } catch { throw BrokerError(.endpoint, "cannot bind the back endpoint \(service.back): \(error); is another broker running? (--back)") }
        let settings = self.settings
        metricsSender = try settings.collector.map { try MetricsSender(context: service.context, endpoint: $0, curve: settings.collectorCurve) }
        snapshotClock = SnapshotClock(role: "broker", name: settings.name, incarnation: checkpoint?.incarnation ?? UUID().uuidString.lowercased(),
                                      firstSeq: (checkpoint?.seq ?? -1) + 1)
        frontEndpoint = try frontSocket.lastEndpoint()
        backEndpoint = try backSocket.lastEndpoint()
        if recovery.truncatedBytes > 0 {
            Logger(label: "karez.broker").notice("cut a torn journal tail after the last synced byte (a write that never completed, so never acknowledged)",
                                                 metadata: ["bytes": "\(recovery.truncatedBytes)"])
        }
    }

    var inputs: [Socket] { [frontSocket, backSocket] }

    /// Each read takes a whole turn's batch (and group-commits it).
    var readsPerTurn: Int { 1 }

    func readOne(from index: Int, emit: (BrokerEvent) -> Void) throws -> Bool {
        index == 0 ? try stallWatch.time("reading producers' messages") { try readFront(now: clock.now()) }
            : try stallWatch.time("reading workers' messages") { try readBack(now: clock.now()) }
    }

    func handle(_ command: Never, emit: (BrokerEvent) -> Void) throws {}

    func tick(now _: ContinuousClock.Instant, emit: (BrokerEvent) -> Void) throws -> Duration? {
        if !announced {
            announced = true
            emit(.listening(front: frontEndpoint, back: backEndpoint))
        }
        let now = clock.now()
        try housekeeping(now: now)
        service.publish(core.stats)
        // Wake for the next scheduled item, deadline or rate-limit token on time.
        let wake = min(settings.heartbeatMillis / 2, 100, core.wakeDelay(now: now) ?? .max)
        return .milliseconds(Int64(max(1, wake)))
    }

    /// Writes and syncs the journal, sends the last metrics snapshot and closes the sockets.
    func shutdown(emit: (BrokerEvent) -> Void) throws {
        defer {
            sendMetrics(final: true)
            metricsSender?.close()
            frontSocket.close()
            backSocket.close()
        }
        try finishJournal()
    }

    // MARK: Front

    /// - Returns: false when nothing was waiting.
    private func readFront(now: UInt64) throws -> Bool {
        var replies: [([[UInt8]], any FrameWritable)] = []
        // Refusals of one message often share their error: each distinct body is encoded once.
        var lastRefusal: (error: ErrorBody, bytes: [UInt8])?
        var pendingAcks: [([[UInt8]], [String])] = []
        var n = 0
        // A turn ends after 512 messages or 1 MiB of journal: the records are still in cache
        // when written, and ACKs go out sooner.
        while n < 512, journal.bufferedBytes < 1 << 20, try frontSocket.receive(into: message, wait: false) {
            n += 1
            let start = FramesView(message).envelopeCount
            let envelope = (0..<start).map { message[$0].array }
            let frames = FramesView(message, from: start)
            if message.exceeded {
                trimDue = true
                replies.append((envelope, FrontReply.error(tooLarge(message).namingCommand(of: FramesView(message, from: start)))))
                continue
            }
            let request = FrontRequest.decode(frames, maxBodyBytes: settings.maxItemBytes)
            if case .success(let r) = request, r.isAdmin, var refusal = adminRefusal(start < message.count ? message[start].property("User-Id") : nil) {
                if case .control = r { refusal.command = "CTL" } else { refusal.command = "DLQ" }
                replies.append((envelope, FrontReply.error(refusal)))
                continue
            }
            switch request {
            case .failure(let error):
                if !frames.isErrorReport { replies.append((envelope, FrontReply.error(error))) }
            case .success(.ping):
                replies.append((envelope, FrontReply.pong(pong)))
            case .success(.purge(let ids)):
                let gone = try deadLetters.remove(ids: ids.isEmpty ? nil : Set(ids))
                replies.append((envelope, FrontReply.dlqDone(gone.count)))
            case .success(.requeue(let ids)):
                replies.append((envelope, FrontReply.dlqDone(try requeue(ids, now: now))))
            case .success(.control(let request)):
                replies.append((envelope, try control(request, now: now)))
            case .success(.publish(let items, let watch)):
                // A DEALER producer that publishes packed gets packed replies, until it publishes
                // unpacked (PROTOCOL.md 2.5).
                if envelope.count == 1 { packingPeers.published(envelope, packed: Pack.isPacked(frames)) }
                var accepted: [String] = [], duplicates: [String] = [], busy: [String] = []
                for decision in core.publish(items, now: now, watcher: watch ? envelope : nil) {
                    switch decision {
                    case .accept(let item):
                        let segment = journal.appendEnqueue(item.item)
                        core.accepted(item, segment: segment, watcher: watch ? envelope : nil)
                        accepted.append(item.id)
                    case .duplicate(let id): duplicates.append(id)
                    case .refuse(let id, let error):
                        if lastRefusal?.error != error { lastRefusal = (error, error.bytes) }
                        replies.append((envelope, EncodedNAK(id: id, body: lastRefusal!.bytes)))
                    case .busy(let id): busy.append(id)
                    }
                }
                if !duplicates.isEmpty { replies.append((envelope, FrontReply.duplicate(duplicates))) }
                if !busy.isEmpty { replies.append((envelope, FrontReply.busy(retryAfterMilliseconds: 200, busy))) }
                if !accepted.isEmpty {
                    if settings.fsync == .always { try flushJournal(sync: true) }
                    pendingAcks.append((envelope, accepted))
                }
            }
        }
        // Group commit: one write (and one fsync) covers every item read in this turn. The jobs
        // go out between the write and the fsync, so workers take them while the disk syncs:
        // nothing is acknowledged before the fsync, and a job out before it only repeats an
        // item its producer will resend (PROTOCOL.md 8).
        if journal.hasUnwritten {
            try flushJournal(sync: false)
            if settings.fsync == .batch {
                dispatch(now: now)
                try flushJournal(sync: true)
            }
        }
        let durability: Durability = settings.fsync == .never ? .written : .fsynced
        for (envelope, ids) in pendingAcks { try sendFront(envelope, FrontReply.ack(durability, ids), ids: ids.count) }
        for (envelope, reply) in replies {
            if let reply = reply as? FrontReply {
                try sendFront(envelope, reply, ids: reply.idCount)
            } else {
                try frontSocket.send(to: envelope, reply)
            }
        }
        return n > 0
    }

    /// Writes the journal's buffered records and, with `sync`, waits until they are on disk;
    /// timed as a step of the loop (``StallWatch``).
    private func flushJournal(sync: Bool) throws {
        if sync {
            try stallWatch.time("syncing the journal (fdatasync)") { try journal.flush(sync: true) }
        } else {
            try stallWatch.time("writing the journal") { try journal.flush(sync: false) }
        }
    }

    private var pong: Pong {
        Pong(broker: settings.name, incarnation: incarnation, version: "1", kinds: settings.kinds.sorted(),
             maxItemBytes: settings.maxItemBytes, maxBatch: FrontRequest.maxBatch,
             durability: settings.fsync == .never ? "written" : "fsynced", maxQueuedItems: settings.maxQueuedItems)
    }

    /// Requeued letters are accepted again as new items (the dedup window is bypassed):
    /// journalled first, then removed from the dead-letter file. A letter whose sealed body cannot
    /// be opened for its id and kind, or that the broker would not accept as published, stays.
    /// - Returns: how many were requeued.
    private func requeue(_ ids: [String], now: UInt64) throws -> Int {
        let letters = try DeadLetterFile.read(deadLetters.url).filter { ids.contains($0["id"]?.stringValue ?? "") }
        var requeued = Set<String>()
        for letter in letters {
            guard let id = letter["id"]?.stringValue, let kind = letter["kind"]?.stringValue, let body = deadLetters.originalBody(letter),
                  PublishedItem(id: id, kind: kind, body: body).problem(maxBytes: settings.maxItemBytes, knownKinds: settings.kinds) == nil
            else { continue }
            let item = core.requeue(id: id, kind: kind, body: body, now: now)
            core.accepted(item, segment: journal.appendEnqueue(item))
            requeued.insert(id)
        }
        guard !requeued.isEmpty else { return 0 }
        try flushJournal(sync: settings.fsync != .never)
        return try deadLetters.remove(ids: requeued).count
    }

    /// Carries out an operator command (`CTL`, PROTOCOL.md 3.7). Settings are saved (synced)
    /// before the answer; cancellations are journalled and synced before it.
    private func control(_ request: ControlRequest, now: UInt64) throws -> FrontReply {
        if var problem = core.apply(request) {
            problem.command = "CTL"  // an ERR names the message it refuses (PROTOCOL.md 2.4)
            return .error(problem)
        }
        switch request {
        case .status:
            return .controlDone(core.status(now: now))
        case .cancel(let kind, let ids):
            let result = core.cancel(kind: kind, ids: ids, now: now)
            try journalEnded(now: now)
            try flushJournal(sync: settings.fsync != .never)
            for (worker, tags) in result.notices { sendToWorker(worker, BrokerMessage.cancel(tags), now: now) }
            if !result.cancelled.isEmpty {
                Logger(label: "karez.broker").notice("cancelled by an operator", metadata: ["kind": "\(kind)", "items": "\(result.cancelled.count)"])
            }
            return .controlDone(.object(JSONObject([
                ("cancelled", .array(result.cancelled.map(JSONValue.string))),
                ("finished", .array(result.finished.map { .object(JSONObject([("id", .string($0.id)), ("state", .string($0.state))])) })),
                ("unknown", .array(result.unknown.map(JSONValue.string))),
            ])))
        case .limit(let kind, _, _), .pause(let kind), .resume(let kind):
            try ControlFile.save(core.controlSettings, to: controlURL)
            Logger(label: "karez.broker").notice("operator settings changed", metadata: ["kind": "\(kind)", "request": "\(JSONWriter.string(request.json))"])
            let status = core.status(now: now)
            let entry = status.objectValue?["kinds"]?.arrayValue?.first { $0.objectValue?["kind"]?.stringValue == kind }
            return .controlDone(entry ?? .object(JSONObject()))
        }
    }

    /// Sends a reply to a producer: packed (PROTOCOL.md 2.5) when it names several items and the
    /// producer sends packed messages itself.
    private func sendFront(_ envelope: [[UInt8]], _ reply: FrontReply, ids: Int) throws {
        if ids > 1, packingPeers.contains(envelope) {
            try frontSocket.send(to: envelope, Packed(reply))
        } else {
            try frontSocket.send(to: envelope, reply)
        }
    }

    /// The answer to a message beyond the per-message limits (it was read and dropped).
    private func tooLarge(_ m: Multipart) -> ErrorBody {
        ErrorBody(code: "too_large", message: "message of \(m.received.frames) frames and \(m.received.bytes) bytes; the limit is \(m.limits.maxFrames) frames and \(m.limits.maxBytes) bytes per message (split it)")
    }

    /// Why an admin command from this peer is refused, or nil: with CURVE only `--operators`
    /// keys may run them.
    private func adminRefusal(_ userID: String?) -> ErrorBody? {
        guard settings.access != nil else { return nil }
        if let userID, let key = try? CurveKey(z85: userID), settings.operators?.name(of: key) != nil { return nil }
        return ErrorBody(code: "forbidden", message: "admin commands need an operator key (broker --operators); this key is not one")
    }

    // MARK: Back

    /// - Returns: false when nothing was waiting.
    private func readBack(now: UInt64) throws -> Bool {
        var n = 0
        let message = backMessage
        while n < 1024, try backSocket.receive(into: message, wait: false) {
            n += 1
            let worker = message[0].array
            if message.exceeded {
                trimDue = true
                core.seen(worker, now: now)
                sendToWorker(worker, BrokerMessage.error(tooLarge(message).namingCommand(of: FramesView(message, from: 1))), now: now)
                continue
            }
            // A packed message is held to the frame limit of the message it packs (PROTOCOL.md 9).
            if let fields = Pack.fieldCount(FramesView(message, from: 1)), 3 + fields > settings.backMessageLimits.maxFrames {
                core.seen(worker, now: now)
                let error = ErrorBody(code: "too_large", message: "PACK of \(fields) fields; a worker message holds at most \(settings.backMessageLimits.maxFrames - 3) (one per job held, --max-credit, and 16)")
                sendToWorker(worker, BrokerMessage.error(error.namingCommand(of: FramesView(message, from: 1))), now: now)
                continue
            }
            switch WorkerMessage.decode(FramesView(message, from: 1)) {
            case .failure(let error):
                core.seen(worker, now: now)  // any message is a sign of life, also a refused one (PROTOCOL.md 4.3)
                if !FramesView(message, from: 1).isErrorReport { sendToWorker(worker, BrokerMessage.error(error), now: now) }
            case .success(.hello(let hello)):
                // With CURVE a worker is its key; without, its incarnation (PROTOCOL.md 4.2).
                let principal = settings.access == nil ? nil : message.count > 1 ? message[1].property("User-Id") : nil
                if let refusal = core.hello(worker, hello, principal: principal, now: now) {
                    sendToWorker(worker, BrokerMessage.error(refusal), now: now)
                    continue
                }
                let welcome = Welcome(broker: settings.name, incarnation: incarnation, heartbeatMilliseconds: Int(settings.heartbeatMillis),
                                      leaseMilliseconds: Int(settings.leaseMillis), maxItemBytes: settings.maxItemBytes, version: "1",
                                      maxCredit: settings.maxCredit)
                sendToWorker(worker, BrokerMessage.welcome(welcome), now: now)
            case .success(let other):
                guard core.knows(worker) else {
                    sendToWorker(worker, BrokerMessage.error(ErrorBody(code: "hello_required", message: "send HELLO first (the broker may have restarted)")), now: now)
                    continue
                }
                core.seen(worker, now: now)
                switch other {
                case .credit(let c):
                    if !core.credit(worker, c) {
                        sendToWorker(worker, BrokerMessage.error(ErrorBody(code: "credit_limit", message: "credit and jobs in flight may not exceed \(settings.maxCredit) (broker --max-credit); the rest was not granted")), now: now)
                    }
                case .done(let tags): core.done(worker, tags, now: now)
                case .extend(let tags): core.extend(worker, tags, now: now)
                case .progress(let tag, let percent): core.progress(worker, tag, percent: percent, now: now)
                case .fail(let tag, let retryable, let error): core.fail(worker, tag, retryable: retryable, error, now: now)
                case .bye: core.remove(worker, now: now, as: .left)
                case .drain:
                    core.drain(worker)
                    sendToWorker(worker, BrokerMessage.drained, now: now)
                case .heartbeat, .hello: break
                }
            }
        }
        return n > 0
    }

    /// Sends to one worker without waiting (PROTOCOL.md 4.3). A worker whose queue is full (it
    /// stopped reading) is let go and its jobs go back without counting the attempt, so nothing
    /// piles up for it in the broker. One whose connection is gone gets no jobs until it is heard
    /// from again: it may be reconnecting, and keeps what it holds; if it died, its heartbeats
    /// lapse and 4.4 applies.
    /// - Parameter jobs: the jobs `message` carries, given back uncounted if it is not sent.
    private func sendToWorker(_ worker: [UInt8], _ message: some FrameWritable, now: UInt64, jobs: [Job] = []) {
        let queued: Bool?  // nil: the connection is gone
        do { queued = try backSocket.send(to: [worker], message) } catch { queued = nil }
        if queued == true { return }
        // Jobs of a JOB message that never left were not delivered: back uncounted, first.
        if !jobs.isEmpty { core.unsent(worker, jobs.map(\.delivery), now: now) }
        if queued == false { core.remove(worker, now: now, as: .replaced) } else { core.unreachable(worker) }
    }

    // MARK: Time

    private func housekeeping(now: UInt64) throws {
        // Leases, silent workers and retries are checked every 20 ms, not on every message.
        if now >= lastTick + 20 {
            lastTick = now
            let silent = stallWatch.time("checking leases and workers") { core.tick(now: now) }
            if !silent.isEmpty {
                Logger(label: "karez.broker").notice("workers silent for \(settings.heartbeatMillis * settings.heartbeatLiveness) ms were dropped; what they held is delivered again",
                                                     metadata: ["workers": "\(silent.count)", "connected": "\(core.workerList.count)"])
            }
        }
        stallWatch.time("releasing delayed items") { core.releaseDue(now: now) }
        stallWatch.time("dispatching jobs") { dispatch(now: now) }
        try stallWatch.time("sending FINs") {
            for (envelope, outcome, ids) in core.takeFinNotices() {
                try sendFront(envelope, FrontReply.finished(outcome, ids), ids: ids.count)
            }
        }
        try stallWatch.time("journalling ended items") {
            try journalEnded(now: now)
            if journal.hasUnwritten { try flushJournal(sync: false) }
        }
        if now >= lastHeartbeat + settings.heartbeatMillis {
            lastHeartbeat = now
            for worker in core.workerIDs { sendToWorker(worker, BrokerMessage.heartbeat, now: now) }
        }
        if now >= lastMetrics + 1000 {
            lastMetrics = now
            stallWatch.time("sending metrics") { sendMetrics() }
        }
        if trimDue, now >= lastTrim + 1000 {
            (trimDue, lastTrim) = (false, now)
            stallWatch.time("returning memory (malloc_trim)") { MemoryReturn.trim() }
        }
        if now >= lastReclaim + 1000 {
            lastReclaim = now
            stallWatch.time("reclaiming journal segments") { _ = journal.reclaim(nowMillis: now, dedupWindowMillis: settings.dedupWindowMillis) }
        }
        stallWatch.report()
    }

    /// Bodies and ids of a `JOB` message sent packed at most (the rest of a job is 64 bytes).
    static let mostPackedJobBytes = 8 << 20

    /// Hands ready jobs to the workers with credit.
    private func dispatch(now: UInt64) {
        for (worker, jobs, packed) in core.dispatch(now: now) {
            // Several jobs go packed (PROTOCOL.md 2.5) to workers that take it, while the packed
            // frame stays well inside the 16 MiB a frame may have.
            let bytes = packed && jobs.count > 1 ? jobs.reduce(0, { $0 + $1.body.count + $1.id.utf8.count }) : 0
            if packed, jobs.count > 1, bytes < Self.mostPackedJobBytes {
                // Room for the rest of each job (its delivery, kind, attempt and 5 length
                // prefixes) at once: the frame is not copied as it grows.
                sendToWorker(worker, Packed(BrokerMessage.jobs(jobs), capacity: bytes + 96 * jobs.count), now: now, jobs: jobs)
            } else {
                sendToWorker(worker, BrokerMessage.jobs(jobs), now: now, jobs: jobs)
            }
        }
    }

    /// Pushes a metrics snapshot to the collector, if one is configured (never waits).
    ///
    /// The snapshot is cumulative over the data folder's life (``BrokerMetricsCheckpoint``): it
    /// is checkpointed before it is sent, so a restarted broker continues from it.
    private func sendMetrics(final: Bool = false) {
        guard let metricsSender else { return }
        var m = core.metrics(now: clock.now())
        m.add("metrics_snapshots_dropped_total", [:], Double(metricsSender.dropped))
        for (endpoint, refused) in settings.access?.refusedCounts ?? [:] { m.add("auth_refused_total", ["endpoint": endpoint], Double(refused)) }
        for (key, value) in carried.counters { m.add(key, value) }
        for (key, histogram) in carried.histograms { m.merge(key, histogram) }
        for (step, count) in stallWatch.stalls { m.add("broker_loop_stalls_total", ["step": step], Double(count)) }
        m.merge(MetricKey("journal_sync_seconds", [:]), journal.commitSyncs)
        let snapshot = snapshotClock.snapshot(of: m)
        try? BrokerMetricsCheckpoint(snapshot: snapshot).save(checkpointURL, sync: final)
        metricsSender.send(snapshot)
    }

    /// Buffers the end records of items that ended, after writing the dead letters among them:
    /// a `DEAD` record never reaches the disk before its letter.
    private func journalEnded(now: UInt64) throws {
        let dead = core.takeDeadLetters()
        if !dead.isEmpty { try deadLetters.append(dead, now: now) }
        journal.appendFinished(core.takeFinished(), now: now)
    }

    private func finishJournal() throws {
        try journalEnded(now: clock.now())
        try journal.flush(sync: true)
        journal.syncMark()
    }
}
