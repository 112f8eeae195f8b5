import Foundation
import KarezMetrics

/// `DATA/broker-metrics.json`: what makes a broker's metrics outlive its process.
///
/// A broker's snapshots are cumulative over its data folder's life, not over one process: their
/// incarnation names the data folder (kept here), `seq` continues where the last run stopped,
/// the item counters (`items_accepted_total`, `items_done_total`, `items_dead_lettered_total`)
/// start from the journal's exact lifetime counts, and the other counters from this checkpoint,
/// saved just before each snapshot is sent, so a kill -9 loses none of what the collector saw.
struct BrokerMetricsCheckpoint: Codable {
    struct Counter: Codable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    var incarnation: String
    var seq: Int
    var counters: [Counter]

    /// Counters recovered from the journal, not from here.
    static let journalled: Set<String> = ["items_accepted_total", "items_done_total", "items_dead_lettered_total",
                                                   "items_expired_total", "items_cancelled_total"]

    /// The counters to add to this run's own: every checkpointed counter but the journalled ones.
    var carriedCounters: MetricSet {
        var m = MetricSet()
        for c in counters where !Self.journalled.contains(c.name) { m.add(c.name, c.labels, c.value) }
        return m
    }

    init(incarnation: String, seq: Int, counters: [MetricKey: Double]) {
        self.incarnation = incarnation
        self.seq = seq
        self.counters = counters.map { key, value in
            Counter(name: key.name, labels: Dictionary(key.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), value: value)
        }
    }

    static func load(_ url: URL) throws -> BrokerMetricsCheckpoint? { try LifetimeCounts.load(Self.self, from: url) }
    func save(_ url: URL, sync: Bool) throws { try LifetimeCounts.save(self, to: url, sync: sync) }
}
