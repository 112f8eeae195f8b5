import Foundation
import KarezMetrics
import KarezProtocol

/// `DATA/broker-metrics.json`: what makes a broker's metrics outlive its process.
///
/// A broker's snapshots are cumulative over its data folder's life, not over one process: their
/// incarnation names the data folder (kept here), `seq` continues where the last run stopped,
/// the item counters (`items_accepted_total`, `items_done_total`, `items_dead_lettered_total`)
/// start from the journal's exact lifetime counts, and the other counters and the histograms from
/// this checkpoint, saved just before each snapshot is sent, so a kill -9 loses none of what the
/// collector saw.
struct BrokerMetricsCheckpoint: Codable {
    struct Counter: Codable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// A histogram as the snapshot had it: its count, sum and cumulative counts at
    /// ``LatencyHistogram/bounds``.
    struct Histogram: Codable {
        var name: String
        var labels: [String: String]
        var count: Int
        var sum: Double
        var cumulative: [Int]
    }

    var incarnation: String
    var seq: Int
    var counters: [Counter]
    /// Absent in checkpoints of brokers that did not carry histograms.
    var histograms: [Histogram]?

    /// Counters recovered from the journal, not from here.
    static let journalled: Set<String> = ["items_accepted_total", "items_done_total", "items_dead_lettered_total",
                                                   "items_expired_total", "items_cancelled_total"]

    /// What to add to this run's own metrics: every checkpointed counter but the journalled ones,
    /// and every histogram (one kept with other bucket bounds is left out).
    var carried: MetricSet {
        var m = MetricSet()
        for c in counters where !Self.journalled.contains(c.name) { m.add(c.name, c.labels, c.value) }
        for h in histograms ?? [] {
            if let histogram = LatencyHistogram(cumulative: h.cumulative, count: h.count, sum: h.sum) {
                m.merge(MetricKey(h.name, h.labels), histogram)
            }
        }
        return m
    }

    /// The checkpoint of a snapshot about to be sent: its counters and histograms.
    init(snapshot: MetricsSnapshot) {
        incarnation = snapshot.source.incarnation
        seq = snapshot.seq
        counters = snapshot.counters.map { Counter(name: $0.name, labels: $0.labels, value: $0.value) }
        histograms = snapshot.histograms.map { Histogram(name: $0.name, labels: $0.labels, count: $0.count, sum: $0.sum, cumulative: $0.buckets.map(\.count)) }
    }

    static func load(_ url: URL) throws -> BrokerMetricsCheckpoint? { try LifetimeCounts.load(Self.self, from: url) }
    func save(_ url: URL, sync: Bool) throws { try LifetimeCounts.save(self, to: url, sync: sync) }
}
