import Foundation
import KarezMetrics
import KarezProtocol

/// `DATA/broker-metrics.json`: what makes a broker's metrics outlive its process.
///
/// A broker's snapshots are cumulative over its data folder's life, not over one process: their
/// incarnation names the data folder (kept here), `seq` continues where the last run stopped,
/// the item counters (`items_accepted_total`, `items_done_total`, `items_dead_lettered_total`,
/// `items_expired_total`, `items_cancelled_total`) start from the journal's exact lifetime
/// counts, and the other counters and the histograms from this checkpoint, saved just before each
/// snapshot is sent, so a kill -9 loses none of what the collector saw.
struct BrokerMetricsCheckpoint: Codable {
    struct Counter: Codable {
        var name: String
        var labels: [String: String]
        var value: Double
    }

    /// A histogram as the snapshot had it: its count, sum and cumulative counts at `bounds`.
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
    /// The bucket bounds the histograms were counted at (``LatencyHistogram/bounds``).
    var bounds: [Double]?

    /// Counters recovered from the journal, not from here.
    static let journalled: Set<String> = ["items_accepted_total", "items_done_total", "items_dead_lettered_total",
                                                   "items_expired_total", "items_cancelled_total"]
    /// The histograms a broker sends, and the labels they have.
    static let histogramNames: Set<String> = ["stage_seconds", "journal_sync_seconds"]
    static let histogramLabels: Set<String> = ["kind", "stage"]

    /// What to add to this run's own metrics: every checkpointed counter but the journalled ones,
    /// and every histogram. An entry no broker writes (a file edited or damaged by hand: another
    /// name or label, a count no run reaches, histograms kept at other bucket bounds) is left out
    /// and counted in `dropped`, so the snapshots stay ones the collector takes.
    func carried() -> (metrics: MetricSet, dropped: Int) {
        var m = MetricSet()
        var dropped = 0
        for c in counters where !Self.journalled.contains(c.name) {
            guard Self.isCarriable(c.name, c.labels), c.name.hasSuffix("_total"), c.value.isFinite, c.value >= 0, c.value <= Self.mostCounted else {
                dropped += 1
                continue
            }
            m.add(c.name, c.labels, c.value)
        }
        let kept = histograms ?? []
        guard bounds == LatencyHistogram.bounds || kept.isEmpty else { return (m, dropped + kept.count) }
        for h in kept {
            guard Self.histogramNames.contains(h.name), Set(h.labels.keys).isSubset(of: Self.histogramLabels), Self.isCarriable(h.name, h.labels),
                  let histogram = LatencyHistogram(cumulative: h.cumulative, count: h.count, sum: h.sum) else {
                dropped += 1
                continue
            }
            m.merge(MetricKey(h.name, h.labels), histogram)
        }
        return (m, dropped)
    }

    /// More than any run counts (2^53: beyond it a Double no longer counts by ones).
    static let mostCounted = Double(1 << 53)

    /// A metric name and labels as the collector takes them (PROTOCOL.md 5.1: at most 8 labels,
    /// Prometheus label names other than `le` and `__*`, names and values of 128 bytes at most).
    static func isCarriable(_ name: String, _ labels: [String: String]) -> Bool {
        Patterns.isMetricName(name) && labels.count <= 8
            && labels.allSatisfy { Patterns.isLabelName($0.key) && !Patterns.isReservedLabelName($0.key) && $0.key.utf8.count <= 128 && $0.value.utf8.count <= 128 }
    }

    /// The checkpoint of a snapshot about to be sent: its counters and histograms.
    init(snapshot: MetricsSnapshot) {
        incarnation = snapshot.source.incarnation
        seq = snapshot.seq
        counters = snapshot.counters.map { Counter(name: $0.name, labels: $0.labels, value: $0.value) }
        histograms = snapshot.histograms.map { Histogram(name: $0.name, labels: $0.labels, count: $0.count, sum: $0.sum, cumulative: $0.buckets.map(\.count)) }
        bounds = LatencyHistogram.bounds
    }

    static func load(_ url: URL) throws -> BrokerMetricsCheckpoint? {
        try LifetimeCounts.load(Self.self, from: url,
                                withoutIt: "the broker's metrics then start again under a new incarnation, its item counts from the journal and the rest from zero")
    }
    func save(_ url: URL, sync: Bool) throws { try LifetimeCounts.save(self, to: url, sync: sync) }
}
