import KarezDomain
import KarezProtocol
import Testing

/// Checks shared by the kinds that decode valid bodies straight from bytes: the byte path must
/// give exactly what the tree path gives, for valid bodies and for broken ones.
struct BytePathChecks<Body: SchemaBody & Equatable> {
    let processor: any KindProcessor
    let decodeValid: (UnsafeRawBufferPointer) -> Body?

    func viaBytes(_ bytes: [UInt8]) -> Result<ProcessedItem, ErrorBody> {
        bytes.withUnsafeBytes { processor.process(bytes: $0, context: PatientFixtures.context) }
    }

    func viaTree(_ bytes: [UInt8]) -> Result<ProcessedItem, ErrorBody> {
        bytes.withUnsafeBytes { processor.processParsed(bytes: $0, context: PatientFixtures.context) }
    }

    func decoded(_ bytes: [UInt8]) -> Body? { bytes.withUnsafeBytes(decodeValid) }

    /// Both paths agree, and the byte decoder accepts only what the schema accepts.
    func expectSamePaths(_ bytes: [UInt8], _ label: String) {
        #expect(viaBytes(bytes) == viaTree(bytes), "\(label): the byte path and the tree path disagree")
        if let value = decoded(bytes) {
            let tree = (try? JSONParser.parse(bytes)).map(Body.decode)
            #expect(tree == .success(value), "\(label): decodeValid accepted what the schema refuses")
        }
    }

    /// Valid inputs take the byte path, are accepted, and give what the tree path gives.
    func expectValidTakeBytePath(_ inputs: [[UInt8]]) {
        for (i, bytes) in inputs.enumerated() {
            #expect(decoded(bytes) != nil, "input \(i) did not take the byte path")
            let fast = viaBytes(bytes)
            #expect(fast == viaTree(bytes), "input \(i): the paths disagree")
            #expect((try? fast.get()) != nil, "input \(i) was refused: \(PatientFixtures.violations(fast))")
        }
    }

    /// `count` generated items of `kind` (seed 11) and the kind's valid proto-json vectors take
    /// the byte path, are accepted, and give what the tree path gives.
    func expectGeneratedAndVectorsAgree(_ kind: String, count: Int) throws {
        var inputs = SyntheticData.items(kind, count: count, seed: 11).map(JSONWriter.bytes)
        inputs += try PatientFixtures.vectors(kind).map { JSONWriter.bytes($0.json) }
        expectValidTakeBytePath(inputs)
    }

    /// Invalid inputs are refused by the byte decoder and get the tree path's errors.
    func expectInvalidRefused(_ vectors: [(name: String, json: JSONValue)]) {
        for (name, json) in vectors {
            let bytes = JSONWriter.bytes(json)
            #expect(decoded(bytes) == nil, "\(name) was accepted by the byte decoder")
            expectSamePaths(bytes, name)
        }
    }

    /// Every variant, every truncation of `record`, and `record` with one byte that is never
    /// UTF-8, give the tree path's answer.
    func expectSameOnVariants(_ variants: [(String, String)], truncating record: [UInt8]) {
        for (label, text) in variants { expectSamePaths(Array(text.utf8), label) }
        for n in 0..<record.count { expectSamePaths(Array(record[..<n]), "first \(n) bytes") }
        if let at = record.firstIndex(where: { $0 >= 0x80 }) {
            var broken = record
            broken[at] = 0xFF
            expectSamePaths(broken, "invalid UTF-8 bytes")
        }
    }
}

extension BytePathChecks {
    /// Checks for a kind whose processor decodes valid bodies itself (patients, leads).
    init<P: TypedKindProcessor>(processor: P) where P.Body == Body {
        self.init(processor: processor, decodeValid: processor.decodeValid(bytes:))
    }
}
