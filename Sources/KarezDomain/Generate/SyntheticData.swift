import KarezProtocol

/// Realistic synthetic work items for demos and load tests: patient visits with valid resident IDs
/// and ICD-10 codes, investment leads with valid credit codes, and short Chinese news stories.
/// Deterministic: the same kind, count and seed give the same items, on every platform.
public enum SyntheticData {
    /// Hands `count` items of the kind named `kind` made from `seed` to `emit`, one at a time (so
    /// millions can be written without holding them), with the kind's generator in
    /// ``KindRegistry``. Ids are `pt-s<seed>-<n>`, `lead-s<seed>-<n>` and `news-s<seed>-<n>` for
    /// the shipped kinds; every item carries `"id"` and `"kind"`.
    /// - Returns: false when the kind is unknown or has no generator (nothing was emitted).
    @discardableResult
    public static func generate(_ kind: String, count: Int, seed: UInt64, _ emit: (JSONValue) -> Void) -> Bool {
        guard let generator = KindRegistry[kind]?.generate else { return false }
        generator(count, seed, emit)
        return true
    }

    /// `count` items of the kind named `kind` made from `seed` (none for a kind without a generator).
    public static func items(_ kind: String, count: Int, seed: UInt64) -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(max(0, count))
        generate(kind, count: count, seed: seed) { out.append($0) }
        return out
    }
}
