/// Which broker of an ordered list takes an item (PROTOCOL.md 8.1): the jump consistent hash
/// (Lamping and Veach, 2014) of the FNV-1a 64-bit hash of the item's kind, one zero byte and its
/// id. Every producer that is given the same list sends an item to the same broker, so that
/// broker's dedup window sees every copy of it. Appending a broker to the list moves only the
/// items that now belong to it (about 1 in N+1); removing one from the end moves only its own.
public enum BrokerPartition {
    /// The index in `0..<brokers` of the broker that takes the item `(kind, id)`.
    public static func index(kind: some Collection<UInt8>, id: some Collection<UInt8>, brokers: Int) -> Int {
        guard brokers > 1 else { return 0 }
        return jump(key: fnv1a(kind: kind, id: id), buckets: brokers)
    }

    /// ``index(kind:id:brokers:)`` for strings (their UTF-8 bytes).
    public static func index(kind: String, id: String, brokers: Int) -> Int {
        index(kind: kind.utf8, id: id.utf8, brokers: brokers)
    }

    /// FNV-1a, 64 bits, over `kind`, a zero byte and `id`.
    public static func fnv1a(kind: some Collection<UInt8>, id: some Collection<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func add(_ byte: UInt8) { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for b in kind { add(b) }
        add(0)
        for b in id { add(b) }
        return h
    }

    /// Jump consistent hash: a bucket in `0..<buckets` for `key`.
    public static func jump(key: UInt64, buckets: Int) -> Int {
        var key = key
        var b: Int64 = -1, j: Int64 = 0
        while j < Int64(buckets) {
            b = j
            key = key &* 2_862_933_555_777_941_757 &+ 1
            j = Int64(Double(b + 1) * (Double(UInt64(1) << 31) / Double((key >> 33) + 1)))
        }
        return Int(b)
    }
}

/// A comma-separated list of endpoints (`tcp://a:7700,tcp://b:7700`), in order.
public enum EndpointList {
    /// The endpoints of `text`, trimmed; throws on an empty entry or one named twice.
    public static func parse(_ text: String) throws(EndpointListError) -> [String] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingWhitespace }
        if let empty = parts.firstIndex(of: "") { throw EndpointListError("endpoint \(empty + 1) of \"\(text)\" is empty; separate endpoints with single commas") }
        for (i, p) in parts.enumerated() where !["tcp://", "ipc://", "inproc://"].contains(where: { p.hasPrefix($0) && p.count > $0.count }) {
            throw EndpointListError("endpoint \(i + 1) of \"\(text)\", \"\(p.prefix(100))\", is not a ZeroMQ endpoint; write tcp://HOST:PORT")
        }
        var seen = Set<String>()
        for p in parts where !seen.insert(p).inserted { throw EndpointListError("\(p) is named twice in \"\(text)\"; each broker once, in the same order for every producer") }
        return parts
    }
}

/// Why an endpoint list cannot be used.
public struct EndpointListError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Substring {
    var trimmingWhitespace: String {
        var s = self[...]
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
