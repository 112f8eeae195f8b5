/// A trie over Unicode scalars, built once and then read-only: the dictionary behind every
/// "does a known word start here?" question of the text scanners.
///
/// The first scalar is looked up in a two-level page table (no hashing), the first two in a
/// hashed pair table whose entries hold the node's record, behind a 16 KiB bitmap of hashed
/// pairs that rules most positions out with one load (``mayStart(_:_:)``); deeper levels keep
/// each node's children contiguous and sorted, each edge holding its child's 8-byte record, so
/// a walk reads one short run of edges per scalar (what the news lexicon's walks touch shrank
/// from about 140 KiB to 90 KiB with this layout). The
/// tables live in memory allocated once and freed with the trie, so passing the trie around
/// costs one reference count, not one per table. Keys are stored with ASCII letters folded to
/// lower case and looked up the same way, so English words match whatever their case (callers
/// that care check the case themselves).
final class ScalarTrie<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every table is written only in `init` and read-only afterwards.

    /// One node, as a walk holds it, in 8 bytes: its children are `edges[childStart ..<
    /// childStart + childCount]`, sorted by scalar; the key ending here, if any, has
    /// `values[valueIndex - 1]`.
    struct Node: Sendable {
        fileprivate var childStart: UInt32
        /// Bits 0..<20: `valueIndex` (0 when no key ends here); bits 20..<32: `childCount`.
        fileprivate var packed: UInt32

        fileprivate static var valueBits: UInt32 { 20 }
        /// Limits of the packing, checked when the trie is built.
        fileprivate static var maxValues: Int { (1 << valueBits) - 2 }
        fileprivate static var maxChildren: Int { (1 << (32 - valueBits)) - 1 }

        fileprivate init(childStart: Int, childCount: Int, valueIndex: Int) {
            self.childStart = UInt32(childStart)
            packed = UInt32(valueIndex) | UInt32(childCount) << Self.valueBits
        }

        fileprivate var childCount: Int { Int(packed >> Self.valueBits) }
        fileprivate var valueIndex: Int { Int(packed & (1 << Self.valueBits - 1)) }

        /// True when some key ends here.
        var isTerminal: Bool { packed & (1 << Self.valueBits - 1) != 0 }
    }

    /// A node two scalars down, under its two scalars.
    private struct PairEntry {
        var key: UInt64
        var node: Node
    }

    /// A child, with its record, so that stepping to it reads nothing more.
    private struct Edge {
        var scalar: UInt32
        var node: Node
    }

    private let pageOf: UnsafeMutablePointer<Int32>      // scalar >> 8 → page number, or -1
    private let pages: UnsafeMutablePointer<Int32>       // page * 256 + (scalar & 0xFF) → node, or -1
    private let nodes: UnsafeMutablePointer<Node>        // by number, for the page table's first steps
    private let edges: UnsafeMutablePointer<Edge>        // breadth-first: shallow nodes' children share cache lines
    private let values: UnsafeMutablePointer<Value>
    private let valueTotal: Int
    /// One bit per hash of a key's first two scalars, folded (see ``mayStart(_:_:)``).
    private let pairBits: UnsafeMutablePointer<UInt64>
    /// True when some key is a single scalar, which no pair can rule out.
    let hasSingleScalarKeys: Bool
    /// The nodes two scalars down, by their scalars (folded), with the node's record in the
    /// entry: open addressing on ``pairKey(_:_:)``, key 0 for an empty slot, so a walk skips the
    /// page table, the first edges and the node table.
    private let pairs: UnsafeMutablePointer<PairEntry>
    private let pairMask: Int
    private static var pairBitCount: Int { 1 << 17 }

    private static var pageCount: Int { 0x110000 >> 8 }

    /// Builds the trie of `entries`; a key given more than once keeps its first value. At most
    /// about a million keys, and at most 4,095 children for any node but the root.
    init(_ entries: [(key: String, value: Value)]) {
        // Build with dictionaries, then lay the nodes out flat, breadth first.
        var children: [[UInt32: Int]] = [[:]]
        var nodeValue: [Value?] = [nil]  // the first value given for the key ending at each node
        for (key, value) in entries {
            var node = 0
            for s in key.unicodeScalars {
                let u = Scalars.folded(s.value)
                if let next = children[node][u] {
                    node = next
                } else {
                    children.append([:])
                    nodeValue.append(nil)
                    children[node][u] = children.count - 1
                    node = children.count - 1
                }
            }
            if node != 0, nodeValue[node] == nil { nodeValue[node] = value }
        }
        var order = [0]
        var number = [Int](repeating: 0, count: children.count)
        var next = 0
        while next < order.count {
            for (_, child) in children[order[next]].sorted(by: { $0.key < $1.key }) {
                number[child] = order.count
                order.append(child)
            }
            next += 1
        }
        // Records first (breadth first, so a node's children are numbered, and laid out, together),
        // then the edges, which copy their child's record.
        var flatNodes: [Node] = []
        var flatValues: [Value] = []
        var childStart = 0
        for old in order {
            let childCount = children[old].count
            precondition(old == 0 || childCount <= Node.maxChildren, "a trie node has more than \(Node.maxChildren) children")
            var valueIndex = 0
            if let value = nodeValue[old] {
                flatValues.append(value)
                valueIndex = flatValues.count
            }
            flatNodes.append(Node(childStart: childStart, childCount: old == 0 ? 0 : childCount, valueIndex: valueIndex))
            childStart += childCount
        }
        precondition(flatValues.count <= Node.maxValues, "a trie has more than \(Node.maxValues) keys")
        var flatEdges: [Edge] = []
        flatEdges.reserveCapacity(childStart)
        for old in order {
            for (u, child) in children[old].sorted(by: { $0.key < $1.key }) { flatEdges.append(Edge(scalar: u, node: flatNodes[number[child]])) }
        }
        var pageIndex = [Int32](repeating: -1, count: Self.pageCount)
        var pageTable: [Int32] = []
        var pairBitWords = [UInt64](repeating: 0, count: Self.pairBitCount / 64)
        var singles = false
        var depthTwo: [(key: UInt64, node: Int)] = []
        for (u, child) in children[0] {
            if nodeValue[child] != nil { singles = true }
            for (v, grandchild) in children[child] {
                // Every case of the pair, so that ``mayStart(_:_:)`` need not fold.
                for first in Self.cases(u) {
                    for second in Self.cases(v) {
                        let bit = Self.pairBit(first, second)
                        pairBitWords[bit >> 6] |= 1 << UInt64(bit & 63)
                    }
                }
                depthTwo.append((Self.pairKey(u, v), number[grandchild]))
            }
            let p = Int(u >> 8)
            if pageIndex[p] < 0 {
                pageIndex[p] = Int32(pageTable.count / 256)
                pageTable.append(contentsOf: [Int32](repeating: -1, count: 256))
            }
            pageTable[Int(pageIndex[p]) * 256 + Int(u & 0xFF)] = Int32(number[child])
        }
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(array.count, 1))
            _ = UnsafeMutableBufferPointer(start: p, count: array.count).initialize(from: array)
            return p
        }
        pageOf = copy(pageIndex)
        pages = copy(pageTable)
        nodes = copy(flatNodes)
        edges = copy(flatEdges)
        values = copy(flatValues)
        valueTotal = flatValues.count
        pairBits = copy(pairBitWords)
        hasSingleScalarKeys = singles
        var pairCapacity = 16
        while pairCapacity < depthTwo.count * 2 { pairCapacity <<= 1 }
        var pairTable = [PairEntry](repeating: PairEntry(key: 0, node: Node(childStart: 0, childCount: 0, valueIndex: 0)), count: pairCapacity)
        for (key, node) in depthTwo {
            var slot = Self.pairSlot(key, mask: pairCapacity - 1)
            while pairTable[slot].key != 0 { slot = (slot + 1) & (pairCapacity - 1) }
            pairTable[slot] = PairEntry(key: key, node: flatNodes[node])
        }
        pairs = copy(pairTable)
        pairMask = pairCapacity - 1
    }

    deinit {
        values.deinitialize(count: valueTotal)
        values.deallocate()
        pageOf.deallocate()
        pages.deallocate()
        nodes.deallocate()
        edges.deallocate()
        pairBits.deallocate()
        pairs.deallocate()
    }

    /// False when no key starts with `u` followed by `next` (0 at the end of the text), in any
    /// case of ASCII letters: one hash and one bit test in a 16 KiB table, so it stays in cache
    /// however large the trie. True may be wrong (different pairs share bits); ``start(_:_:)``
    /// and ``next(_:_:)`` then tell for sure.
    @inline(__always) func mayStart(_ u: UInt32, _ next: UInt32) -> Bool {
        if hasSingleScalarKeys { return true }
        let bit = Self.pairBit(u, next)
        return pairBits[bit >> 6] >> UInt64(bit & 63) & 1 != 0
    }

    /// A folded scalar as written: itself, and for a lower-case ASCII letter its upper case too.
    private static func cases(_ u: UInt32) -> [UInt32] { u &- 0x61 < 26 ? [u, u - 0x20] : [u] }

    /// The node reached from the root by scalars `u` then `v`, if any: one probe of the pair
    /// table, whose entry holds the node's record.
    @inline(__always) func start(_ u: UInt32, _ v: UInt32) -> Node? {
        let key = Self.pairKey(Scalars.folded(u), Scalars.folded(v))
        var slot = Self.pairSlot(key, mask: pairMask)
        while true {
            let entry = pairs + slot
            if entry.pointee.key == key { return entry.pointee.node }
            if entry.pointee.key == 0 { return nil }
            slot = (slot &+ 1) & pairMask
        }
    }

    /// Two folded scalars as one non-zero key of ``pairs``.
    @inline(__always) private static func pairKey(_ u: UInt32, _ v: UInt32) -> UInt64 { 1 << 63 | UInt64(u) << 32 | UInt64(v) }

    @inline(__always) private static func pairSlot(_ key: UInt64, mask: Int) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 40) & mask
    }

    /// The bit of two folded scalars in ``pairBits``.
    @inline(__always) private static func pairBit(_ u: UInt32, _ v: UInt32) -> Int {
        Int(truncatingIfNeeded: ((u &* 0x9E37_79B1) ^ v) &* 0x85EB_CA6B) >> (32 - 17) & (pairBitCount - 1)
    }

    /// The node reached from the root by scalar `u`, if any.
    @inline(__always) func start(_ u: UInt32) -> Node? {
        let f = Scalars.folded(u)
        guard f < 0x110000 else { return nil }
        let page = pageOf[Int(f >> 8)]
        guard page >= 0 else { return nil }
        let node = pages[Int(page) &* 256 &+ Int(f & 0xFF)]
        return node < 0 ? nil : nodes[Int(node)]
    }

    /// The child of `node` by scalar `u`, if any.
    @inline(__always) func next(_ node: Node, _ u: UInt32) -> Node? {
        let f = Scalars.folded(u)
        var low = Int(node.childStart)
        var high = low &+ node.childCount
        while high &- low > 8 {  // binary search down to a short run
            let mid = (low &+ high) >> 1
            if edges[mid].scalar <= f { low = mid } else { high = mid }
        }
        while low < high {
            let edge = edges[low]
            if edge.scalar == f { return edge.node }
            if edge.scalar > f { return nil }
            low &+= 1
        }
        return nil
    }

    /// The value of the key ending at a terminal `node`.
    @inline(__always) func value(_ node: Node) -> Value { values[node.valueIndex &- 1] }

    /// The end and value of the longest key starting at `position`, if any.
    func longestMatch(_ text: UnsafeBufferPointer<UInt32>, at position: Int) -> (end: Int, value: Value)? {
        guard position < text.count else { return nil }
        var node = start(text[position])
        var best: (end: Int, value: Value)?
        var i = position + 1
        while let n = node {
            if n.isTerminal { best = (i, value(n)) }
            guard i < text.count else { break }
            node = next(n, text[i])
            i += 1
        }
        return best
    }

    /// True when scalars `start..<end` of `text` are exactly a key.
    func containsKey(_ text: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        guard start < end else { return false }
        // Two scalars or more: straight to the node two down through the pair table.
        let pair = end - start >= 2
        guard var node = pair ? self.start(text[start], text[start + 1]) : self.start(text[start]) else { return false }
        for i in (start + (pair ? 2 : 1))..<end {
            guard let child = next(node, text[i]) else { return false }
            node = child
        }
        return node.isTerminal
    }
}
