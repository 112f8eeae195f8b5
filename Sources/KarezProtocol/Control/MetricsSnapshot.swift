/// A metrics snapshot (`METRICS` frame): cumulative counters since the sender's incarnation
/// began, gauges, and latency histograms. A lost snapshot loses nothing; a new incarnation
/// tells the collector the sender restarted.
public struct MetricsSnapshot: SchemaBody, Equatable {
    public static let schemaName = "metrics"

    /// Who sent a snapshot.
    public struct Source: Sendable, Equatable {
        public var role: String
        public var name: String
        public var incarnation: String
        public var host: String
        public var pid: Int
        public init(role: String, name: String, incarnation: String, host: String, pid: Int) {
            (self.role, self.name, self.incarnation, self.host, self.pid) = (role, name, incarnation, host, pid)
        }
    }

    /// A counter or gauge reading with its labels.
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
        public init(name: String, labels: [String: String] = [:], value: Double) {
            (self.name, self.labels, self.value) = (name, labels, value)
        }
    }

    /// A histogram: count, sum and cumulative buckets `(upper bound, count ≤ bound)`.
    public struct Histogram: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var count: Int
        public var sum: Double
        public var buckets: [(upperBound: Double, count: Int)]
        public init(name: String, labels: [String: String] = [:], count: Int, sum: Double, buckets: [(upperBound: Double, count: Int)]) {
            (self.name, self.labels, self.count, self.sum, self.buckets) = (name, labels, count, sum, buckets)
        }
        public static func == (a: Histogram, b: Histogram) -> Bool {
            a.name == b.name && a.labels == b.labels && a.count == b.count && a.sum == b.sum
                && a.buckets.map(\.upperBound) == b.buckets.map(\.upperBound) && a.buckets.map(\.count) == b.buckets.map(\.count)
        }
    }

    public var source: Source
    public var seq: Int
    /// RFC 3339 time the snapshot was taken.
    public var time: String
    public var uptimeSeconds: Double
    public var counters: [Sample]
    public var gauges: [Sample]
    public var histograms: [Histogram]

    public init(source: Source, seq: Int, time: String, uptimeSeconds: Double, counters: [Sample], gauges: [Sample], histograms: [Histogram]) {
        (self.source, self.seq, self.time, self.uptimeSeconds) = (source, seq, time, uptimeSeconds)
        (self.counters, self.gauges, self.histograms) = (counters, gauges, histograms)
    }

    static let metricHint = "a metric name: a-z, 0-9 and _, not starting with a digit"

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> MetricsSnapshot? {
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["version", "source", "seq", "time", "uptime_s", "counters", "gauges", "histograms"], optional: [])
        if let v = o["version"], v.integerValue != 1 { c.fail("/version", "enum", "must be 1, got \(JSONWriter.string(v))") }
        let source = c.nested(o, "source", at: "") { c, o, p -> Source? in
            c.members(o, at: p, required: ["role", "name", "incarnation", "host", "pid"], optional: [])
            let role = c.oneOf(o, "role", at: p, ["broker", "worker", "bench"])
            let name = c.string(o, "name", at: p, max: 200)
            let inc = c.string(o, "incarnation", at: p, max: 64)
            let host = c.string(o, "host", at: p, max: 255)
            let pid = c.integer(o, "pid", at: p, minimum: 1)
            guard let role, let name, let inc, let host, let pid else { return nil }
            return Source(role: role, name: name, incarnation: inc, host: host, pid: pid)
        }
        let seq = c.integer(o, "seq", at: "", minimum: 0)
        var time: String?
        if let t = c.string(o, "time", at: "", min: 0, max: .max) {
            if Timestamp.parse(t) != nil { time = t } else { c.fail("/time", "format", "\"\(t)\" is not an RFC 3339 date-time") }
        }
        let uptime = c.number(o, "uptime_s", at: "", minimum: 0)
        let counters = samples(o, "counters", &c, minimum: 0)
        let gauges = samples(o, "gauges", &c, minimum: nil)
        var histograms: [Histogram] = []
        for (i, item) in (c.array(o, "histograms", at: "", maxItems: .max) ?? []).enumerated() {
            let p = JSONPointer.append("/histograms", i)
            guard let h = c.object(item, at: p) else { continue }
            c.members(h, at: p, required: ["name", "count", "sum", "buckets"], optional: ["labels"])
            let name = c.string(h, "name", at: p, min: 0, max: .max, pattern: Patterns.isMetricName, patternHint: metricHint)
            let labels = self.labels(h, p, &c)
            let count = c.integer(h, "count", at: p, minimum: 0)
            let sum = c.number(h, "sum", at: p)
            var buckets: [(Double, Int)] = []
            for (j, b) in (c.array(h, "buckets", at: p, maxItems: .max) ?? []).enumerated() {
                let bp = JSONPointer.append(p + "/buckets", j)
                guard case .array(let pair) = b, pair.count == 2, let upper = pair[0].numberValue, let n = pair[1].integerValue, n >= 0 else {
                    c.fail(bp, "type", "must be a pair [upper_bound, cumulative_count]")
                    continue
                }
                buckets.append((upper, n))
            }
            if let name, let labels, let count, let sum {
                histograms.append(Histogram(name: name, labels: labels, count: count, sum: sum, buckets: buckets))
            }
        }
        guard c.isValid, let source, let seq, let time, let uptime, let counters, let gauges else { return nil }
        return MetricsSnapshot(source: source, seq: seq, time: time, uptimeSeconds: uptime, counters: counters, gauges: gauges, histograms: histograms)
    }

    static func samples(_ o: JSONObject, _ key: String, _ c: inout SchemaChecker, minimum: Double?) -> [Sample]? {
        guard let items = c.array(o, key, at: "", maxItems: .max) else { return nil }
        var out: [Sample] = []
        for (i, item) in items.enumerated() {
            let p = JSONPointer.append("/" + key, i)
            guard let s = c.object(item, at: p) else { continue }
            c.members(s, at: p, required: ["name", "value"], optional: ["labels"])
            let name = c.string(s, "name", at: p, min: 0, max: .max, pattern: Patterns.isMetricName, patternHint: metricHint)
            let value = c.number(s, "value", at: p, minimum: minimum)
            let labels = self.labels(s, p, &c)
            if let name, let value, let labels { out.append(Sample(name: name, labels: labels, value: value)) }
        }
        return out
    }

    static func labels(_ o: JSONObject, _ p: String, _ c: inout SchemaChecker) -> [String: String]? {
        guard let value = o["labels"] else { return [:] }
        let lp = JSONPointer.append(p, "labels")
        guard let object = c.object(value, at: lp) else { return nil }
        var labels: [String: String] = [:]
        for (k, v) in object.members {
            if !Patterns.isLabelName(k) {
                c.fail(JSONPointer.append(lp, k), "pattern", "label name \"\(k)\" must be letters, digits and _, not starting with a digit")
                continue
            }
            if let s = c.string(v, at: JSONPointer.append(lp, k), min: 0, max: .max) { labels[k] = s }
        }
        return labels
    }

    /// The snapshot as JSON.
    public var json: JSONValue {
        func labelsJSON(_ l: [String: String]) -> JSONValue { .object(JSONObject(l.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })) }
        func sample(_ s: Sample) -> JSONValue {
            var o = JSONObject([("name", .string(s.name)), ("value", .number(s.value))])
            if !s.labels.isEmpty { o["labels"] = labelsJSON(s.labels) }
            return .object(o)
        }
        let hs: [JSONValue] = histograms.map { h in
            var o = JSONObject([("name", .string(h.name)), ("count", .number(Double(h.count))), ("sum", .number(h.sum)),
                                ("buckets", .array(h.buckets.map { .array([.number($0.upperBound), .number(Double($0.count))]) }))])
            if !h.labels.isEmpty { o["labels"] = labelsJSON(h.labels) }
            return .object(o)
        }
        return .object(JSONObject([
            ("version", 1),
            ("source", .object(JSONObject([("role", .string(source.role)), ("name", .string(source.name)),
                                           ("incarnation", .string(source.incarnation)), ("host", .string(source.host)),
                                           ("pid", .number(Double(source.pid)))]))),
            ("seq", .number(Double(seq))), ("time", .string(time)), ("uptime_s", .number(uptimeSeconds)),
            ("counters", .array(counters.map(sample))), ("gauges", .array(gauges.map(sample))), ("histograms", .array(hs)),
        ]))
    }
}
