import Testing
@testable import KarezDomain

@Suite struct TextNumberReaderTests {
    func arabic(_ s: String) -> NumberToken? {
        let t = Array(s.unicodeScalars.map(\.value))
        return t.withUnsafeBufferPointer { NumberReader.arabic($0, at: 0) }
    }

    func chinese(_ s: String) -> NumberToken? {
        let t = Array(s.unicodeScalars.map(\.value))
        return t.withUnsafeBufferPointer { NumberReader.chinese($0, at: 0) }
    }

    @Test func arabicNumbers() throws {
        let plain = try #require(arabic("2023年"))
        #expect(plain.value.integer == 2023 && plain.end == 4 && plain.isPlainInteger && plain.integerDigits == 4)
        let grouped = try #require(arabic("5,000,000元"))
        #expect(grouped.value.integer == 5_000_000 && grouped.end == 9 && !grouped.isPlainInteger)
        let decimal = try #require(arabic("1.25亿"))
        #expect(decimal.value == DecimalNumber(mantissa: 125, exponent: -2) && decimal.end == 4)
        let fullWidth = try #require(arabic("１２３．５万"))
        #expect(fullWidth.value.double == 123.5 && fullWidth.end == 5)
        // A comma that is not a thousands separator ends the number.
        #expect(arabic("23,12名")?.end == 2)
        #expect(arabic("1,2345")?.end == 1)
        #expect(arabic("3.")?.end == 1)
        #expect(arabic("x") == nil)
        #expect(arabic("1234567890123456789") == nil)  // more than 18 digits
    }

    @Test func chineseNumerals() {
        let cases: [(String, Double, Int)] = [
            ("三千万元", 30_000_000, 3), ("一亿元", 100_000_000, 2), ("两百万", 2_000_000, 3), ("十二师", 12, 2), ("二十", 20, 2),
            ("一百零五", 105, 4), ("一亿五千万", 150_000_000, 5), ("三万亿", 3_000_000_000_000, 3), ("十二点五", 12.5, 4),
            ("二〇二三年", 2023, 4), ("二二一团", 221, 3), ("三千多万", 3000, 2), ("四年级", 4, 1),
        ]
        for (text, value, end) in cases {
            let number = chinese(text)
            #expect(number?.value.double == value, "\(text)")
            #expect(number?.end == end, "\(text)")
        }
        #expect(chinese("二〇二三")?.integerDigits == 4)
        #expect(chinese("十二")?.integerDigits == 0)
        #expect(chinese("万元") == nil)
        #expect(chinese("百姓") == nil)
    }

    @Test func decimalNumbers() {
        #expect(DecimalNumber(mantissa: 12, exponent: -1).scaled(by: 8).double == 120_000_000)
        #expect(DecimalNumber(mantissa: 123_456_7, exponent: -6).scaled(by: 4).double == 12_345.67)
        #expect(DecimalNumber(mantissa: 25, exponent: -1).integer == nil)
        #expect(DecimalNumber(mantissa: 250, exponent: -1).integer == 25)
    }
}

@Suite struct TextScalarTests {
    @Test func scalarTextOffsetsAndSlices() {
        let text = ScalarText("a益😀b阳")
        #expect(text.scalars == [0x61, 0x76CA, 0x1F600, 0x62, 0x9633])
        #expect(text.byteOffsets == [0, 1, 4, 8, 9, 12])
        #expect(text.string(1, 3) == "益😀")
        #expect(text.prefix(2) == "a益")
        #expect(text.same(TextSpan(1, 2), TextSpan(1, 2)) && !text.same(TextSpan(1, 2), TextSpan(4, 5)))
        #expect(ScalarText("").count == 0)
        #expect(ScalarText("ÀB").lowercasedString(0, 2) == "Àb")
    }

    /// The C decoder's vector paths (sixteen ASCII bytes, four three-byte sequences) and its
    /// scalar loop must judge and decode exactly as Swift does: random mixes of ASCII, CJK, two-
    /// and four-byte scalars, with some bytes broken (overlong, surrogate, truncated, stray).
    @Test func decoderAgreesWithSwiftOnRandomBytes() {
        var rng = SplitMix64(seed: 42)
        let pieces: [[UInt8]] = [
            Array("abcdefghijklmnopq".utf8), Array("援疆工作队".utf8), Array("。，".utf8), Array("é".utf8), Array("😀".utf8),
            Array("7".utf8), Array("\u{7F}".utf8), Array("\u{800}\u{FFFF}\u{10FFFF}".utf8),
        ]
        let broken: [[UInt8]] = [[0xE0, 0x80, 0x80], [0xED, 0xA0, 0x80], [0xC0, 0xAF], [0xE4, 0xB8], [0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF]]
        for round in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(rng.next() % 24) {
                bytes += pieces[Int(rng.next() % UInt64(pieces.count))]
            }
            if round % 3 == 0, !bytes.isEmpty {
                let cut = Int(rng.next() % UInt64(bytes.count + 1))
                bytes.insert(contentsOf: broken[Int(rng.next() % UInt64(broken.count))], at: cut)
            }
            let swift = String(validating: bytes, as: UTF8.self)
            let ours = ScalarText(validating: bytes)
            #expect((swift == nil) == (ours == nil), "round \(round): \(bytes)")
            guard let swift, let ours else { continue }
            #expect(ours.scalars == swift.unicodeScalars.map(\.value), "round \(round)")
            var offsets: [Int32] = []
            var at = 0
            for s in swift.unicodeScalars {
                offsets.append(Int32(at))
                at += String(s).utf8.count
            }
            offsets.append(Int32(at))
            #expect(ours.byteOffsets == offsets, "round \(round)")
        }
    }

    @Test func trieLongestMatchAndCaseFolding() {
        let trie = ScalarTrie([(key: "益阳", value: 1), (key: "益阳市", value: 2), (key: "may", value: 3), (key: "湖南", value: 4),
                               (key: "湖南", value: 5)])  // a repeated key keeps its first value
        let t = Array("益阳市湖南May".unicodeScalars.map(\.value))
        t.withUnsafeBufferPointer { b in
            #expect(trie.longestMatch(b, at: 0)?.end == 3)
            #expect(trie.longestMatch(b, at: 0)?.value == 2)
            #expect(trie.longestMatch(b, at: 1) == nil)
            #expect(trie.longestMatch(b, at: 3)?.value == 4)
            #expect(trie.longestMatch(b, at: 5)?.value == 3)  // "May" folds to "may"
            #expect(trie.containsKey(b, 0, 2) && trie.containsKey(b, 0, 3) && !trie.containsKey(b, 1, 3))
        }
    }

    @Test func scalarSets() {
        let set = ScalarSet("的了😀a")
        #expect(set.contains(0x7684) && set.contains(0x1F600) && set.contains(0x61))
        #expect(!set.contains(0x62) && !set.contains(0x1F601) && !set.contains(0))
    }

    @Test func classification() {
        #expect(Scalars.isCJK(0x4E00) && Scalars.isCJK(0x3007) && !Scalars.isCJK(0x3002))
        #expect(Scalars.digit(0xFF15) == 5 && Scalars.digit(0x35) == 5 && Scalars.digit(0x4E94) == -1)
        #expect(Scalars.isSpace(0x3000) && Scalars.isSpace(0x0A) && !Scalars.isSpace(0x4E00))
        #expect(Scalars.isPunctuation(0x3001) && Scalars.isPunctuation(0xFF0C) && Scalars.isPunctuation(0x2C) && !Scalars.isPunctuation(0x3007))
        #expect(Scalars.chineseDigit(0x4E24) == 2 && Scalars.chineseUnitExponent(0x4EBF) == 8)
    }

    @Test func positionBitsVisitsPositionsAfterAnother() {
        var rng = SystemRandomNumberGenerator()
        for round in 0..<200 {
            let count = Int.random(in: 1...300, using: &rng)
            var bits = PositionBits(count: count)
            var marked = Set<Int>()
            for _ in 0..<Int.random(in: 0...count, using: &rng) { marked.insert(Int.random(in: 0..<count, using: &rng)) }
            if round % 2 == 0, count > 65 { marked.formUnion([62, 63, 64, 65]) }  // runs across a word boundary
            for i in marked { bits.insert(i) }
            var visited: [Int] = []
            bits.forEachAfterAnother { visited.append($0) }
            #expect(visited == marked.filter { marked.contains($0 - 1) }.sorted(), "round \(round)")
            var members = Set<Int>()
            for i in 0..<count where bits.contains(i) { members.insert(i) }
            #expect(members == marked)
        }
    }

    @Test func termCounterFindsFragments() {
        var counter = TermCounter(expected: 8)
        let a = Int(counter.add(42, start: 0, length: 2).slot)
        let again = counter.add(42, start: 5, length: 2)
        let b = Int(counter.add(43, start: 1, length: 2).slot)
        counter.add(43, start: 6, length: 2)
        let c = counter.add(44, start: 2, length: 2)
        #expect(Int(again.slot) == a && again.count == 2 && c.count == 1)
        counter.noteContext(a, before: 7, after: 0)
        counter.noteContext(a, before: 7, after: 9)
        counter.noteContext(b, before: 0, after: 0)
        counter.noteContext(b, before: 8, after: 0)
        let repeated = counter.repeatedCount
        let occurrences = (counter.occurrences(a), counter.occurrences(Int(c.slot)))
        let first = counter.span(a).first
        let aIsFragment = counter.isFragment(a)  // always after scalar 7
        let bIsFragment = counter.isFragment(b)  // after nothing, then after 8
        #expect(repeated == 2 && occurrences == (2, 1) && first == 0)
        #expect(aIsFragment && !bIsFragment)
    }
}
