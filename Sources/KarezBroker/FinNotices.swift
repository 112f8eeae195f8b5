import KarezProtocol

/// The `FIN` notices owed to producers that published with `PUBW`: ids per producer envelope
/// and outcome, in first-seen order. The list used last is tried first (a burst of `DONE`s is
/// mostly one producer's items), so most items skip hashing the envelope.
struct FinNotices {
    private struct Key: Hashable {
        var envelope: [[UInt8]]
        var outcome: FinOutcome
    }
    private var lists: [(key: Key, ids: [String])] = []
    private var index: [Key: Int] = [:]
    private var last = -1

    mutating func add(_ envelope: [[UInt8]], _ outcome: FinOutcome, _ id: String) {
        if last >= 0, lists[last].key.outcome == outcome, lists[last].key.envelope == envelope {
            lists[last].ids.append(id)
            return
        }
        let key = Key(envelope: envelope, outcome: outcome)
        if let i = index[key] {
            last = i
        } else {
            last = lists.count
            index[key] = last
            lists.append((key, []))
        }
        lists[last].ids.append(id)
    }

    /// Everything owed since the last call, at most 1000 ids per notice.
    mutating func take() -> [(envelope: [[UInt8]], outcome: FinOutcome, ids: [String])] {
        guard !lists.isEmpty else { return [] }
        defer {
            lists.removeAll(keepingCapacity: true)
            index.removeAll(keepingCapacity: true)
            last = -1
        }
        return lists.flatMap { key, ids in
            stride(from: 0, to: ids.count, by: 1000).map { (key.envelope, key.outcome, Array(ids[$0..<min(ids.count, $0 + 1000)])) }
        }
    }
}
