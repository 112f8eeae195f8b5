import Foundation
import KarezMetrics
import KarezProtocol

/// The collector's totals on disk (`DATA/collector-state.json`), so they survive its restarts:
/// the retired figures and the latest snapshot of every process. Written atomically (temporary
/// file, then rename).
public enum CollectorState {
    /// Writes the aggregator's state to `url`.
    public static func save(_ a: Aggregator, to url: URL) throws {
        let state: JSONValue = [
            "version": 1,
            "retired": json(a.retired),
            "sources": .array(a.sources.sorted { $0.key < $1.key }.map { _, s in
                var o = JSONObject([("received_at", .number(s.receivedAt)), ("lost", .number(Double(s.lostSnapshots))), ("snapshot", s.snapshot.json)])
                // The key a source is bound to (CURVE), kept so a restart cannot rebind it.
                if let sender = s.sender { o["sender"] = .string(sender) }
                return JSONValue.object(o)
            }),
        ]
        let tmp = url.appendingPathExtension("tmp")
        try Data(JSONWriter.bytes(state)).write(to: tmp)
        guard rename(tmp.path, url.path) == 0 else {
            throw CollectorError(.io, "cannot rename \(tmp.path) to \(url.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a saved state into `a`; a missing file is a first start.
    public static func load(from url: URL, into a: inout Aggregator) throws {
        guard let data = FileManager.default.contents(atPath: url.path) else { return }
        let state: JSONValue
        do { state = try JSONParser.parse(Array(data)) } catch {
            throw CollectorError(.state, "\(url.path) is not a collector state file (\(error)); move it away to start from zero")
        }
        var retired = MetricTotals()
        for c in state["retired"]?["counters"]?.arrayValue ?? [] {
            guard let name = c["name"]?.stringValue, let v = c["value"]?.numberValue else { continue }
            retired.counters[MetricKey(name, labels(c["labels"]))] = v
        }
        for h in state["retired"]?["histograms"]?.arrayValue ?? [] {
            guard let name = h["name"]?.stringValue, let cum = h["cumulative"]?.arrayValue,
                  cum.count == LatencyHistogram.bounds.count else { continue }
            var b = BucketHistogram()
            b.count = h["count"]?.integerValue ?? 0
            b.sum = h["sum"]?.numberValue ?? 0
            b.cumulative = cum.map { $0.integerValue ?? 0 }
            retired.histograms[MetricKey(name, labels(h["labels"]))] = b
        }
        var sources: [String: Aggregator.Source] = [:]
        for s in state["sources"]?.arrayValue ?? [] {
            guard let body = s["snapshot"] else { continue }
            var checker = SchemaChecker()
            guard let snapshot = MetricsSnapshot.decode(body, checker: &checker) else { continue }
            sources[snapshot.source.role + "/" + snapshot.source.name] = Aggregator.Source(
                snapshot: snapshot, totals: MetricTotals(snapshot), receivedAt: s["received_at"]?.numberValue ?? 0,
                lostSnapshots: s["lost"]?.integerValue ?? 0, sender: s["sender"]?.stringValue)
        }
        a.restore(retired: retired, sources: sources)
    }

    static func json(_ t: MetricTotals) -> JSONValue {
        func labels(_ k: MetricKey) -> JSONValue { .object(JSONObject(k.labels.map { ($0.name, .string($0.value)) })) }
        return [
            "counters": .array(t.counters.sorted { $0.key < $1.key }.map { k, v in
                ["name": .string(k.name), "labels": labels(k), "value": .number(v)]
            }),
            "histograms": .array(t.histograms.sorted { $0.key < $1.key }.map { k, h in
                ["name": .string(k.name), "labels": labels(k), "count": .number(Double(h.count)), "sum": .number(h.sum),
                 "cumulative": .array(h.cumulative.map { .number(Double($0)) })]
            }),
        ]
    }

    static func labels(_ v: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in v?.objectValue?.members ?? [] { if let s = v.stringValue { out[k] = s } }
        return out
    }
}

/// A collector failure: what kind of failure, and a one-line explanation.
public struct CollectorError: Error, CustomStringConvertible {
    /// What failed.
    public enum Reason: Sendable, Equatable {
        /// The intake endpoint could not be bound.
        case endpoint
        /// The saved state file is not one the collector can read.
        case state
        /// Writing the state failed.
        case io
        /// A part was used as it may not be (the intake run twice).
        case misuse
    }
    public let reason: Reason
    public let description: String
    public init(_ reason: Reason, _ description: String) { (self.reason, self.description) = (reason, description) }
}
