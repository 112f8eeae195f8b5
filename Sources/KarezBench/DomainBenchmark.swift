import CZMQBaseline
import KarezDomain
import KarezProtocol

/// Measures validate + enrich per kind on one core: JSON bytes in, stored record bytes out
/// (``KindProcessor/process(bytes:context:)``, then the record's JSON), as a worker does per item.
public struct DomainBenchmark: Sendable {
    /// The cases: the reference story, and generated patients and leads.
    public enum Case: String, Sendable, CaseIterable {
        case referenceStory = "news-reference-story"
        case patient, lead

        /// The kind its items are published as.
        public var kind: String { self == .referenceStory ? "news" : rawValue }
    }

    public init() {}

    /// Items of a case, as the JSON bytes a worker receives.
    public func inputs(_ c: Case) -> [[UInt8]] {
        switch c {
        case .referenceStory:
            let story: JSONValue = .object(JSONObject([
                ("id", .string(ReferenceStory.id)), ("title", .string(ReferenceStory.title)), ("body", .string(ReferenceStory.body)),
                ("language", .string(ReferenceStory.language)), ("source", .string(ReferenceStory.source)),
                ("published_at", .string(ReferenceStory.publishedAt)),
            ]))
            return [JSONWriter.bytes(story)]
        case .patient: return SyntheticData.items("patient", count: 2000, seed: 1).map(JSONWriter.bytes)
        case .lead: return SyntheticData.items("lead", count: 2000, seed: 1).map(JSONWriter.bytes)
        }
    }

    /// The machine yardstick: a fixed C text workload over the reference story (UTF-8 decoding
    /// and a 2-gram count, ``kz_yardstick_run``) for about `seconds` on this thread. Returns
    /// rounds per second; dividing a case's items per second by it gives a figure that travels
    /// between machines far better than items per second do.
    public func yardstick(seconds: Double) -> Double {
        let text = Array(ReferenceStory.body.utf8)
        var checksum: UInt32 = 0
        let rate = text.withUnsafeBufferPointer { kz_yardstick_run($0.baseAddress, $0.count, seconds, &checksum) }
        precondition(checksum > 0, "the yardstick counted nothing")
        return rate
    }

    /// Runs the broker's frame-level check of a published item (id, kind, size, UTF-8, a JSON
    /// object: ``PublishedItem/problem(maxBytes:knownKinds:)``) over a case's items for about
    /// `seconds`; returns items per second.
    public func frameCheck(_ c: Case, seconds: Double) -> Double {
        let items = inputs(c).enumerated().map { PublishedItem(id: "bench-\($0.offset)", kind: c.kind, body: $0.element) }
        let kinds = Set(KindRegistry.kindNames)
        return Self.itemsPerSecond(seconds: seconds) {
            for item in items {
                precondition(item.problem(maxBytes: 1 << 20, knownKinds: kinds) == nil, "benchmark item \(item.id) was refused")
            }
            return items.count
        }
    }

    /// Processes items for about `seconds` and returns items per second.
    public func run(_ c: Case, seconds: Double) -> Double {
        let inputs = self.inputs(c)
        let processor = KindRegistry.standard()[c.kind]!
        let context = ProcessingContext(today: CalendarDate(year: 2026, month: 11, day: 29), pseudonymizer: .development)
        var bytes = 0
        let rate = Self.itemsPerSecond(seconds: seconds) {
            for (n, input) in inputs.enumerated() {
                guard case .success(let item) = input.withUnsafeBytes({ processor.process(bytes: $0, context: context) }) else {
                    preconditionFailure("benchmark input \(n) did not process: the generators and processors disagree")
                }
                bytes &+= item.recordJSON.count
            }
            return inputs.count
        }
        precondition(bytes > 0)
        return rate
    }

    /// Runs `round` (which returns the items it handled) again and again for about `seconds`;
    /// returns items per second.
    private static func itemsPerSecond(seconds: Double, _ round: () -> Int) -> Double {
        var done = 0
        let start = ContinuousClock.now
        let limit = Duration.milliseconds(Int64(seconds * 1000))
        while ContinuousClock.now - start < limit { done += round() }
        let (s, a) = (ContinuousClock.now - start).components
        return Double(done) / (Double(s) + Double(a) / 1e18)
    }
}
