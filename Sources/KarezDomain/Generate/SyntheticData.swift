import KarezProtocol

/// Realistic synthetic work items for demos and load tests: patient visits with valid resident IDs
/// and ICD-10 codes, investment leads with valid credit codes, and short Chinese news stories.
/// Deterministic: the same kind, count and seed give the same items, on every platform.
public enum SyntheticData {
    /// The kinds that can be generated.
    public enum Kind: String, Sendable, CaseIterable {
        case news, patient, lead
    }

    /// Hands `count` items of `kind` made from `seed` to `emit`, one at a time (so millions can be
    /// written without holding them). Ids are `pt-s<seed>-<n>`, `lead-s<seed>-<n>` and
    /// `news-s<seed>-<n>`; every item carries `"id"` and `"kind"`.
    public static func generate(_ kind: Kind, count: Int, seed: UInt64, _ emit: (JSONValue) -> Void) {
        switch kind {
        case .patient: SyntheticPatients.generate(count: count, seed: seed, emit)
        case .lead: SyntheticLeads.generate(count: count, seed: seed, emit)
        case .news: SyntheticNews.generate(count: count, seed: seed, emit)
        }
    }

    /// `count` items of `kind` made from `seed`.
    public static func items(_ kind: Kind, count: Int, seed: UInt64) -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(max(0, count))
        generate(kind, count: count, seed: seed) { out.append($0) }
        return out
    }
}
