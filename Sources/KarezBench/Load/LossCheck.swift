import Foundation
import KarezCollector
import KarezStore

/// After a run: was every acknowledged item finished? With a store, item by item (stored or
/// rejected, each exactly once); without one (`noop`), by the broker's queue running empty.
/// An acknowledged item in the dead-letter list for any reason but validation (a lost worker, a
/// lapsed lease, a store error) counts as lost: Karez promises that never happens.
public enum LossCheck {
    public struct Outcome: Sendable {
        /// Acknowledged items that were never finished.
        public var lost: Int
        /// Rows beyond one per acknowledged id (always 0 when the store's keys hold).
        public var storedTwice: Int
        /// Acknowledged items still queued when the check gave up (counted in `lost`).
        public var pending: Int
        /// Acknowledged items in the dead-letter list.
        public var deadLettered = 0
        /// Those of them dead-lettered for another reason than validation (counted in `lost`).
        public var deadLetteredNotInvalid = 0
    }

    /// - Parameters:
    ///   - acknowledged: per producer, its id prefix and the item numbers the broker acknowledged.
    ///   - finished: items whose `FIN` the producers received.
    public static func run(acknowledged: [(prefix: String, indices: [Int])], runID: String, kind: String, store url: String?,
                           collector: Collector?, finished: Int, timeout: Double, deadLetters: [String: String] = [:]) async throws -> Outcome {
        let total = acknowledged.reduce(0) { $0 + $1.indices.count }
        guard let url else {
            // No store: the broker's queue (live snapshot) must run empty.
            guard let collector else { return Outcome(lost: max(0, total - finished), storedTwice: 0, pending: 0) }
            let deadline = Date().addingTimeInterval(timeout)
            var queued = 0.0
            repeat {
                try await Task.sleep(for: .milliseconds(1100))
                queued = collector.aggregate { $0.gauge("queue_items", now: Date().timeIntervalSince1970) }
            } while queued > 0 && Date() < deadline
            return Outcome(lost: Int(queued), storedTwice: 0, pending: Int(queued))
        }
        let store = try await openStore(url)
        defer { Task { await store.close() } }
        let wanted = Set(acknowledged.flatMap { p in p.indices.map { p.prefix + String($0) } })
        let deadline = Date().addingTimeInterval(timeout)
        var seen: [String: Int] = [:]
        while true {
            seen = try await ids(in: store, kind: kind, prefix: "bench-\(runID)-")
            if wanted.allSatisfy({ seen[$0] != nil || deadLetters[$0] != nil }) || Date() >= deadline { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        let missing = wanted.filter { seen[$0] == nil && deadLetters[$0] == nil }.count
        let dead = wanted.compactMap { deadLetters[$0] }
        let falselyDead = dead.filter(operationalCodes.contains).count
        return Outcome(lost: missing + falselyDead, storedTwice: seen.values.reduce(0) { $0 + max(0, $1 - 1) }, pending: missing,
                       deadLettered: dead.count, deadLetteredNotInvalid: falselyDead)
    }

    /// Dead-letter codes that are not about the item (PROTOCOL.md 7.2, runtime codes).
    static let operationalCodes: Set<String> = ["worker_lost", "lease_expired", "unavailable", "internal", "max_attempts"]

    /// Stored and rejected ids of the run, with how many rows each has.
    static func ids(in store: any Store, kind: String, prefix: String) async throws -> [String: Int] {
        var out: [String: Int] = [:]
        for rejected in [false, true] {
            var after: String? = prefix
            while true {
                let page = try await store.records(kind: kind, rejected: rejected, after: after, limit: 10_000)
                guard let last = page.last else { break }
                for r in page where r.id.hasPrefix(prefix) { out[r.id, default: 0] += 1 }
                if !last.id.hasPrefix(prefix) { break }
                after = last.id
            }
        }
        return out
    }
}
