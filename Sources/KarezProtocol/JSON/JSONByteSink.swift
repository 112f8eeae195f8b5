/// The growable buffer ``JSONWriter`` writes into: an append is a bounds check and a copy, with
/// none of the uniqueness and generic-sequence checks of appending to an `Array`. The memory is
/// owned by the sink and freed with it; the result is copied out once at the end.
///
/// Fast paths that write a known shape use it directly: punctuation and member names as static
/// text, values through ``writeString(_:)`` and ``writeNumber(_:)``, so the bytes are those
/// ``JSONWriter`` would write for the same tree.
public struct JSONByteSink: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    /// How many bytes have been written.
    public private(set) var count = 0
    private var capacity: Int

    /// An empty sink with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    /// Makes room for `extra` more bytes.
    @inline(__always) public mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count &+ extra) }
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity &* 2
        while newCapacity < needed { newCapacity &*= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.initialize(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends one byte.
    @inline(__always) public mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count &+= 1
    }

    /// Appends bytes as they are.
    @inline(__always) public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress else { return }
        let n = bytes.count
        reserve(n)
        let target = UnsafeMutableRawPointer(base + count)
        if n > 16 {
            target.copyMemory(from: source, byteCount: n)
        } else if n >= 8 {
            // Two overlapping words rather than a call.
            target.storeBytes(of: source.loadUnaligned(as: UInt64.self), as: UInt64.self)
            (target + (n &- 8)).storeBytes(of: source.loadUnaligned(fromByteOffset: n &- 8, as: UInt64.self), as: UInt64.self)
        } else {
            for k in 0..<n { target.storeBytes(of: source.load(fromByteOffset: k, as: UInt8.self), toByteOffset: k, as: UInt8.self) }
        }
        count &+= n
    }

    /// Appends static text as it is (punctuation, quoted member names).
    @inline(__always) public mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes the `digits` decimal digits of `v` (not negative); room must have been reserved.
    @inline(__always) mutating func appendDigits(of v: Int64, count digits: Int) {
        var v = v
        var at = count &+ digits
        while at > count {
            at &-= 1
            base[at] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
            v /= 10
        }
        count &+= digits
    }

    /// Forgets the bytes written, keeping the memory.
    public mutating func removeAll() { count = 0 }

    /// The bytes written.
    public func bytes() -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            if count > 0 { out.baseAddress!.initialize(from: base, count: count) }
            initialized = count
        }
    }

    /// The bytes written, as text (they are UTF-8: every string written came from a `String`).
    public func string() -> String {
        String(decoding: UnsafeBufferPointer(start: base, count: count), as: UTF8.self)
    }

    /// Appends the bytes written to `out`.
    public func append(to out: inout [UInt8]) {
        out.append(contentsOf: UnsafeBufferPointer(start: base, count: count))
    }
}
