import Foundation
import KarezClient
import KarezProtocol
import KarezWire
import Testing
import ZeroMQ

/// A broker from before `PACK`, as a publisher meets it: `ERR unknown_command` naming `PACK` for
/// a packed message; for a plain `PUB` or `PUBW`, `ACK` for each item it has not seen and `DUP`
/// for one it has. Runs on a thread of its own until ``stop()``; its counts are read after it.
private final class BrokerBeforePack: @unchecked Sendable {
    let endpoint: String
    private let socket: Socket
    private let stopped = NSCondition()
    private var stopping = false, done = false
    private(set) var packedRefused = 0, plainItems = 0
    private var seen: Set<String> = []

    init(context: Context) throws {
        socket = try Socket(context, .router)
        try socket.bind("tcp://127.0.0.1:*")
        endpoint = try socket.lastEndpoint()
        Thread { [self] in serve() }.start()
    }

    private func serve() {
        var poller = Poller()
        poller.add(socket)
        while true {
            stopped.lock()
            if stopping { done = true; stopped.broadcast(); stopped.unlock(); return }
            stopped.unlock()
            guard (try? poller.poll(timeout: .milliseconds(20))) ?? 0 > 0 else { continue }
            while let parts = try? socket.receiveParts(wait: false) {
                guard parts.count >= 3 else { continue }
                let envelope = [parts[0]]
                let command = String(decoding: parts[2], as: UTF8.self)
                if command == "PACK" {
                    var error = ErrorBody(code: "unknown_command", message: "unknown command \"PACK\"")
                    error.command = "PACK"
                    packedRefused += 1
                    _ = try? socket.send(to: envelope, FrontReply.error(error))
                } else if command == "PUB" || command == "PUBW" {
                    // id kind body per item
                    let ids = stride(from: 3, to: parts.count, by: 3).map { String(decoding: parts[$0], as: UTF8.self) }
                    plainItems += ids.count
                    let new = ids.filter { seen.insert($0).inserted }, old = ids.filter { !new.contains($0) }
                    if !new.isEmpty { _ = try? socket.send(to: envelope, FrontReply.ack(.fsynced, new)) }
                    if !old.isEmpty { _ = try? socket.send(to: envelope, FrontReply.duplicate(old)) }
                }
            }
        }
    }

    func stop() {
        stopped.lock()
        stopping = true
        while !done { stopped.wait() }
        stopped.unlock()
        socket.close()
    }
}

@Suite("Publisher: a broker from before PACK")
struct PublisherFallbackTests {
    /// The refused packed batches go again at once, unpacked, not when the resend timer (30 s
    /// here) runs out; the one-item batch at the end, sent unpacked and accepted, is not sent
    /// again (its ACK, right behind the ERR, still finds it: no `DUP`).
    @Test func refusedPackedBatchesAreSentAgainUnpackedAtOnce() async throws {
        let context = try Context()
        let broker = try BrokerBeforePack(context: context)
        let items = (0..<2_501).map { PublishedItem(id: "old-\($0)", kind: "news", body: Array(#"{"title":"t"}"#.utf8)) }
        // Timed on the publishing thread: after the await this task may wait for the cooperative
        // pool, which other tests hold in blocking waits (CI once saw 18 s here).
        let (summary, took) = try await withCheckedThrowingContinuation { (c: CheckedContinuation<(Publisher.Summary, Duration), any Error>) in
            Thread {
                c.resume(with: Result {
                    let start = ContinuousClock.now
                    let publisher = try Publisher(context: context, endpoint: broker.endpoint)
                    publisher.batch = 500
                    publisher.resendAfter = .seconds(30)
                    let summary = try publisher.publish(items) { _ in }
                    return (summary, ContinuousClock.now - start)
                })
            }.start()
        }
        broker.stop()
        #expect(took < .seconds(15), "the refused items waited \(took) for the resend timer")
        #expect(summary.acknowledged == 2_501 && summary.duplicates == 0, "\(summary)")
        #expect(broker.packedRefused >= 1, "the publisher packed its first batches")
        #expect(broker.plainItems >= 2_501, "every item went again unpacked: \(broker.plainItems)")
    }
}
