/// A metric's identity: its name and its labels, sorted by label name.
public struct MetricKey: Hashable, Sendable, Comparable {
    public let name: String
    public let labels: [Label]

    /// One label pair.
    public struct Label: Hashable, Sendable {
        public let name: String
        public let value: String
    }

    public init(_ name: String, _ labels: [String: String] = [:]) {
        self.name = name
        self.labels = labels.sorted { $0.key < $1.key }.map { Label(name: $0.key, value: $0.value) }
    }

    /// The labels as a dictionary.
    public var labelDictionary: [String: String] {
        Dictionary(uniqueKeysWithValues: labels.map { ($0.name, $0.value) })
    }

    /// The value of label `name`, if present.
    public subscript(label name: String) -> String? { labels.first { $0.name == name }?.value }

    public static func < (a: MetricKey, b: MetricKey) -> Bool {
        if a.name != b.name { return a.name < b.name }
        return a.labels.lexicographicallyPrecedes(b.labels) { ($0.name, $0.value) < ($1.name, $1.value) }
    }
}
