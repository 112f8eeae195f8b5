import Foundation
import Histogram
import KarezMetrics
import KarezProtocol

/// Latency histograms in HdrHistogram's interval log format (version 1.3), so runs can be read
/// and compared with the standard tools (HistogramLogProcessor, HdrHistogram_py's
/// `HistogramLogReader`, HdrHistogram Plotter): one tagged line per histogram, each its V2
/// encoding, deflated (stored blocks) and base64-encoded. Values are microseconds.
public enum HdrLog {
    /// One interval line: a histogram, what it is (`Tag=`), and when it was recorded.
    public struct Entry: Sendable {
        public var tag: String
        /// Seconds from the log's start time.
        public var start: Double
        public var length: Double
        public var histogram: Histogram<UInt64>

        public init(tag: String, start: Double, length: Double, histogram: Histogram<UInt64>) {
            (self.tag, self.start, self.length, self.histogram) = (tag, start, length, histogram)
        }
    }

    /// The whole log. `startTime` is when the first interval began.
    public static func text(_ entries: [Entry], startTime: Date, comment: String) -> String {
        let epoch = startTime.timeIntervalSince1970
        var out = "#[\(comment)]\n#[Histogram log format version 1.3]\n"
        out += "#[StartTime: \(String(format: "%.3f", epoch)) (seconds since epoch), \(RFC3339.format(epochSeconds: epoch))]\n"
        out += "#[BaseTime: \(String(format: "%.3f", epoch)) (seconds since epoch)]\n"
        out += "#[Values are microseconds; the Interval_Max column is in milliseconds]\n"
        out += "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\"\n"
        for e in entries {
            let tag = e.tag.map { $0 == "," || $0 == " " || $0 == "\n" ? "_" : $0 }
            out += "Tag=\(String(tag)),\(String(format: "%.3f", e.start)),\(String(format: "%.3f", e.length)),"
                + "\(String(format: "%.3f", Double(e.histogram.max) / 1000)),\(base64Compressed(e.histogram))\n"
        }
        return out
    }

    /// `HISTF…`: the compressed V2 encoding, base64.
    static func base64Compressed(_ h: Histogram<UInt64>) -> String { Data(compressed(h)).base64EncodedString() }

    /// Cookie 0x1c849314, the deflated length, then the zlib stream of ``encoded(_:)``.
    static func compressed(_ h: Histogram<UInt64>) -> [UInt8] {
        let deflated = ZlibStored.wrap(encoded(h))
        var out: [UInt8] = []
        put32(&out, 0x1c84_9314)
        put32(&out, UInt32(deflated.count))
        return out + deflated
    }

    /// The V2 encoding: a 40-byte header, then the counts array as ZigZag LEB128 varints, a run
    /// of zeros written as its negated length.
    static func encoded(_ h: Histogram<UInt64>) -> [UInt8] {
        let layout = Layout(h)
        var counts: [(index: Int, count: UInt64)] = []
        for v in h.recordedValues() { counts.append((layout.index(of: v.value), UInt64(v.count))) }
        var payload: [UInt8] = []
        var next = 0
        for (index, count) in counts {
            let zeros = index - next
            if zeros == 1 { putZigZag(&payload, 0) } else if zeros > 1 { putZigZag(&payload, -Int64(zeros)) }
            putZigZag(&payload, Int64(count))
            next = index + 1
        }
        var out: [UInt8] = []
        put32(&out, 0x1c84_9313)
        put32(&out, UInt32(payload.count))
        put32(&out, 0)  // normalizing index offset
        put32(&out, UInt32(h.numberOfSignificantValueDigits.rawValue))
        put64(&out, h.lowestDiscernibleValue)
        put64(&out, layout.highestTrackableValue)
        put64(&out, (1.0).bitPattern)  // integer-to-double conversion ratio
        return out + payload
    }

    /// Where HdrHistogram keeps each value in its counts array (the same arithmetic as every
    /// implementation, from the histogram's lowest value and significant digits).
    struct Layout {
        let unitMagnitude: Int, subBucketHalfCountMagnitude: Int, subBucketHalfCount: Int, subBucketMask: UInt64, leadingZeroCountBase: Int
        let highestTrackableValue: UInt64

        init(_ h: Histogram<UInt64>) {
            let single = 2 * UInt64(pow(10, Double(h.numberOfSignificantValueDigits.rawValue)))
            let subBucketCountMagnitude = Int(ceil(log2(Double(single))))
            subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
            unitMagnitude = Int(floor(log2(Double(h.lowestDiscernibleValue))))
            let subBucketCount = 1 << (subBucketHalfCountMagnitude + 1)
            subBucketHalfCount = subBucketCount / 2
            subBucketMask = UInt64(subBucketCount - 1) << UInt64(unitMagnitude)
            leadingZeroCountBase = 64 - unitMagnitude - subBucketHalfCountMagnitude - 1
            // The tools size their histogram from this; our histograms all track up to an hour.
            highestTrackableValue = 3_600_000_000
        }

        func index(of value: UInt64) -> Int {
            let bucket = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
            let subBucket = Int(value >> UInt64(bucket + unitMagnitude))
            return ((bucket + 1) << subBucketHalfCountMagnitude) + (subBucket - subBucketHalfCount)
        }
    }

    static func putZigZag(_ out: inout [UInt8], _ v: Int64) {
        var z = UInt64(bitPattern: (v << 1) ^ (v >> 63))
        while z >= 0x80 {
            out.append(UInt8(z & 0x7f) | 0x80)
            z >>= 7
        }
        out.append(UInt8(z))
    }

    static func put32(_ out: inout [UInt8], _ v: UInt32) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
    static func put64(_ out: inout [UInt8], _ v: UInt64) { withUnsafeBytes(of: v.bigEndian) { out += $0 } }
}

/// A zlib stream of stored (uncompressed) deflate blocks: what every inflater reads, without
/// linking zlib. Histograms are a few hundred bytes, so compressing them would gain little.
enum ZlibStored {
    static func wrap(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var at = 0
        repeat {
            let n = min(65_535, data.count - at)
            out.append(at + n == data.count ? 1 : 0)
            out += [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            out += data[at..<(at + n)]
            at += n
        } while at < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        withUnsafeBytes(of: ((b << 16) | a).bigEndian) { out += $0 }
        return out
    }
}
