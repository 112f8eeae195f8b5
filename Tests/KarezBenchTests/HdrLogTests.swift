import Foundation
import Histogram
import Testing
@testable import KarezBench

/// Reads back what ``HdrLog`` writes, as HdrHistogram's own decoders do: base64, the compressed
/// cookie, the zlib stream (header, stored blocks, Adler-32), the V2 header and the ZigZag LEB128
/// counts. (`make test` also reads a real run's log with HdrHistogram_py: scripts/check-hdr-log.sh.)
@Suite("HdrHistogram interval log")
struct HdrLogTests {
    /// Decoded counts by index, and the header's significant digits.
    func decode(_ base64: String) throws -> (digits: Int, counts: [Int: UInt64]) {
        let bytes = try #require(Data(base64Encoded: base64).map(Array.init))
        func u32(_ b: [UInt8], _ at: Int) -> UInt32 { b[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) } }
        #expect(u32(bytes, 0) == 0x1c84_9314, "compressed V2 cookie")
        let zlib = Array(bytes[8...])
        #expect(Int(u32(bytes, 4)) == zlib.count)
        #expect(zlib[0] == 0x78 && (UInt16(zlib[0]) << 8 | UInt16(zlib[1])) % 31 == 0, "a zlib header")
        var at = 2, data: [UInt8] = []
        while true {
            let final = zlib[at] & 1
            #expect(zlib[at] & 0b110 == 0, "stored blocks")
            let n = Int(zlib[at + 1]) | Int(zlib[at + 2]) << 8
            #expect(n == ~(Int(zlib[at + 3]) | Int(zlib[at + 4]) << 8) & 0xffff)
            data += zlib[(at + 5)..<(at + 5 + n)]
            at += 5 + n
            if final == 1 { break }
        }
        var a: UInt32 = 1, b: UInt32 = 0
        for x in data { a = (a + UInt32(x)) % 65_521; b = (b + a) % 65_521 }
        #expect(u32(zlib, at) == (b << 16 | a), "Adler-32")
        #expect(u32(data, 0) == 0x1c84_9313, "V2 cookie")
        let payload = Int(u32(data, 4))
        #expect(data.count == 40 + payload)
        var counts: [Int: UInt64] = [:]
        var index = 0, p = 40
        while p < data.count {
            var z: UInt64 = 0, shift: UInt64 = 0
            while true {
                z |= UInt64(data[p] & 0x7f) << shift
                shift += 7
                p += 1
                if data[p - 1] & 0x80 == 0 { break }
            }
            let v = Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1)
            if v < 0 { index += Int(-v) } else {
                if v > 0 { counts[index] = UInt64(v) }
                index += 1
            }
        }
        return (Int(u32(data, 12)), counts)
    }

    @Test func everyRecordedValueComesBackAtItsIndex() throws {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        for v: UInt64 in [1, 2, 2, 999, 1000, 2047, 2048, 5000, 123_456, 123_456, 9_999_999, 3_000_000_000] { _ = h.record(v) }
        for _ in 0..<70_000 { _ = h.record(UInt64.random(in: 100...50_000)) }
        let (digits, counts) = try decode(HdrLog.base64Compressed(h))
        #expect(digits == 3)
        let layout = HdrLog.Layout(h)
        var expected: [Int: UInt64] = [:]
        for v in h.recordedValues() { expected[layout.index(of: v.value)] = UInt64(v.count) }
        #expect(counts == expected)
        #expect(counts.values.reduce(0, +) == h.totalCount)
        // The index arithmetic is HdrHistogram's: values below 2048 have one slot each.
        #expect(layout.index(of: 1) == 1 && layout.index(of: 2047) == 2047 && layout.index(of: 2048) == 2048 && layout.index(of: 2050) == 2049)
    }

    @Test func theLogHasTheStandardHeaderAndOneTaggedLinePerHistogram() throws {
        var h = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .three)
        _ = h.record(1500)
        let start = Date(timeIntervalSince1970: 1_796_000_000.25)
        let text = HdrLog.text([HdrLog.Entry(tag: "karez done, 500/s", start: 0, length: 10, histogram: h),
                                HdrLog.Entry(tag: "c-durable", start: 10, length: 10, histogram: h)], startTime: start, comment: "test")
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("#[Histogram log format version 1.3]"))
        #expect(lines.contains { $0.hasPrefix("#[StartTime: 1796000000.250 ") })
        #expect(lines.contains { $0.hasPrefix("#[BaseTime: 1796000000.250 ") })
        #expect(lines.contains("\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""))
        let data = lines.filter { $0.hasPrefix("Tag=") }
        #expect(data.count == 2)
        #expect(data[0].hasPrefix("Tag=karez_done__500/s,0.000,10.000,1.500,HISTF"), "\(data[0])")
        #expect(data[1].hasPrefix("Tag=c-durable,10.000,10.000,1.500,HISTF"))
        let (_, counts) = try decode(String(data[1].split(separator: ",").last!))
        #expect(counts.values.reduce(0, +) == 1)
    }
}
