/// A binary min-heap of items due at a time (broker milliseconds), earliest first; ties by
/// sequence number. The broker keeps scheduled items (`not_before`) and deadlines (`expires_at`)
/// in them: looking at the next one costs nothing, taking one costs O(log n).
struct TimerHeap {
    struct Entry {
        var due: UInt64
        var seq: UInt64
        var slot: Int
    }

    private var heap: [Entry] = []

    var count: Int { heap.count }
    /// The earliest entry.
    var first: Entry? { heap.first }

    mutating func insert(due: UInt64, seq: UInt64, slot: Int) {
        heap.append(Entry(due: due, seq: seq, slot: slot))
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard Self.before(heap[i], heap[parent]) else { break }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    /// Removes and returns the earliest entry due at or before `now`.
    mutating func popDue(_ now: UInt64) -> Entry? {
        guard let top = heap.first, top.due <= now else { return nil }
        let last = heap.removeLast()
        if heap.isEmpty { return top }
        heap[0] = last
        siftDown(from: 0)
        return top
    }

    /// Keeps only the entries `keep` accepts (those of items still waiting), in O(n): entries of
    /// items that ended early would otherwise stay until their time, however far off.
    mutating func compact(keep: (Entry) -> Bool) {
        heap.removeAll { !keep($0) }
        var i = heap.count / 2
        while i > 0 {
            i -= 1
            siftDown(from: i)
        }
    }

    private mutating func siftDown(from start: Int) {
        var i = start
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < heap.count, Self.before(heap[l], heap[m]) { m = l }
            if r < heap.count, Self.before(heap[r], heap[m]) { m = r }
            if m == i { return }
            heap.swapAt(i, m)
            i = m
        }
    }

    private static func before(_ a: Entry, _ b: Entry) -> Bool { a.due < b.due || (a.due == b.due && a.seq < b.seq) }
}
