/// A trie over Unicode scalars, built once and then read-only: the dictionary behind every
/// "does a known word start here?" question of the text scanners.
///
/// The first scalar is looked up in a two-level page table (no hashing); deeper levels keep
/// each node's children contiguous and sorted, so a walk is a few memory reads per scalar. The
/// tables live in memory allocated once and freed with the trie, so passing the trie around
/// costs one reference count, not one per table. Keys are stored with ASCII letters folded to
/// lower case and looked up the same way, so English words match whatever their case (callers
/// that care check the case themselves).
final class ScalarTrie<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every table is written only in `init` and read-only afterwards.
    private let pageOf: UnsafeMutablePointer<Int32>      // scalar >> 8 → page number, or -1
    private let pages: UnsafeMutablePointer<Int32>       // page * 256 + (scalar & 0xFF) → node, or -1
    private let childStart: UnsafeMutablePointer<Int32>  // per node: first edge
    private let childCount: UnsafeMutablePointer<Int32>  // per node: number of edges
    private let edgeScalar: UnsafeMutablePointer<UInt32> // per edge: the scalar
    private let edgeNode: UnsafeMutablePointer<Int32>    // per edge: the child node
    private let valueStart: UnsafeMutablePointer<Int32>  // per node: first value
    private let valueCount: UnsafeMutablePointer<Int32>  // per node: number of values (0: no key ends here)
    private let values: UnsafeMutablePointer<Value>
    private let sizes: (pages: Int, nodes: Int, edges: Int, values: Int)

    private static var pageCount: Int { 0x110000 >> 8 }

    /// Builds the trie of `entries`; a key given more than once keeps all its values, in order.
    init(_ entries: [(key: String, value: Value)]) {
        // Build with dictionaries, then lay the nodes out flat.
        var children: [[UInt32: Int]] = [[:]]
        var nodeValues: [[Value]] = [[]]
        for (key, value) in entries {
            var node = 0
            for s in key.unicodeScalars {
                let u = Scalars.folded(s.value)
                if let next = children[node][u] {
                    node = next
                } else {
                    children.append([:])
                    nodeValues.append([])
                    children[node][u] = children.count - 1
                    node = children.count - 1
                }
            }
            if node != 0 { nodeValues[node].append(value) }
        }
        var starts: [Int32] = [], counts: [Int32] = [], scalars: [UInt32] = [], targets: [Int32] = []
        var vStarts: [Int32] = [], vCounts: [Int32] = [], flat: [Value] = []
        for node in children.indices {
            let sorted = children[node].sorted { $0.key < $1.key }
            starts.append(Int32(scalars.count))
            counts.append(Int32(sorted.count))
            for (u, child) in sorted {
                scalars.append(u)
                targets.append(Int32(child))
            }
            vStarts.append(Int32(flat.count))
            vCounts.append(Int32(nodeValues[node].count))
            flat.append(contentsOf: nodeValues[node])
        }
        var pageIndex = [Int32](repeating: -1, count: Self.pageCount)
        var pageTable: [Int32] = []
        for (u, child) in children[0] {
            let p = Int(u >> 8)
            if pageIndex[p] < 0 {
                pageIndex[p] = Int32(pageTable.count / 256)
                pageTable.append(contentsOf: [Int32](repeating: -1, count: 256))
            }
            pageTable[Int(pageIndex[p]) * 256 + Int(u & 0xFF)] = Int32(child)
        }
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
            _ = UnsafeMutableBufferPointer(start: p, count: array.count).initialize(from: array)
            return p
        }
        pageOf = copy(pageIndex)
        pages = copy(pageTable)
        childStart = copy(starts)
        childCount = copy(counts)
        edgeScalar = copy(scalars)
        edgeNode = copy(targets)
        valueStart = copy(vStarts)
        valueCount = copy(vCounts)
        values = copy(flat)
        sizes = (pageTable.count, starts.count, scalars.count, flat.count)
    }

    deinit {
        values.deinitialize(count: sizes.values)
        for p in [pageOf, pages, childStart, childCount, valueStart, valueCount, edgeNode] { p.deallocate() }
        edgeScalar.deallocate()
        values.deallocate()
    }

    /// The node reached from the root by scalar `u`, or -1.
    @inline(__always) func start(_ u: UInt32) -> Int32 {
        let f = Scalars.folded(u)
        guard f < 0x110000 else { return -1 }
        let page = pageOf[Int(f >> 8)]
        return page < 0 ? -1 : pages[Int(page) &* 256 &+ Int(f & 0xFF)]
    }

    /// The child of `node` by scalar `u`, or -1.
    @inline(__always) func next(_ node: Int32, _ u: UInt32) -> Int32 {
        let f = Scalars.folded(u)
        var e = Int(childStart[Int(node)])
        let end = e &+ Int(childCount[Int(node)])
        while e < end {
            let s = edgeScalar[e]
            if s == f { return edgeNode[e] }
            if s > f { return -1 }
            e &+= 1
        }
        return -1
    }

    /// True when some key ends at `node`.
    @inline(__always) func isTerminal(_ node: Int32) -> Bool { valueCount[Int(node)] > 0 }

    /// The values of the keys ending at `node` (indices for ``value(at:)``).
    @inline(__always) func valueRange(_ node: Int32) -> Range<Int> {
        let s = Int(valueStart[Int(node)])
        return s..<(s + Int(valueCount[Int(node)]))
    }

    /// One stored value.
    @inline(__always) func value(at i: Int) -> Value { values[i] }

    /// The end and first value of the longest key starting at `position`, if any.
    func longestMatch(_ text: UnsafeBufferPointer<UInt32>, at position: Int) -> (end: Int, value: Value)? {
        guard position < text.count else { return nil }
        var node = start(text[position])
        var best: (end: Int, value: Value)?
        var i = position + 1
        while node >= 0 {
            if isTerminal(node) { best = (i, values[Int(valueStart[Int(node)])]) }
            guard i < text.count else { break }
            node = next(node, text[i])
            i += 1
        }
        return best
    }

    /// True when scalars `start..<end` of `text` are exactly a key.
    func containsKey(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        var node = self.start(text[start])
        var i = start + 1
        while node >= 0 && i < end {
            node = next(node, text[i])
            i += 1
        }
        return node >= 0 && isTerminal(node)
    }
}
