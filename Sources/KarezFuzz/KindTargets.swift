import KarezDomain
import KarezProtocol

/// A kind's validator (`patient`, `news`, `lead`): `KindRegistry.standard()[kind]!` over the
/// input as a body. Besides not crashing:
/// - `process(bytes:context:)` gives what the tree path gives (`processParsed(bytes:context:)`:
///   parse, then `process(_:context:)`), as ``KindProcessor`` documents: the kinds' byte decoders
///   are a shortcut, not a second opinion;
/// - a processed item's stored body and enrichment are JSON;
/// - `redacted(_:pseudonymizer:)` (with the development key and without a key) finishes; for
///   patient it is JSON, and when the input is JSON whose `patient.national_id` is a string of
///   at least 15 characters, that ID does not occur in the redacted body any more often than
///   elsewhere in the input (notes, say, are free text and kept as they are: an ID copied into
///   them stays).
enum KindTargets {
    /// Fixed, so a saved input gives the same result on any day ("not in the future" rules).
    static let context = ProcessingContext(today: CalendarDate(year: 2030, month: 1, day: 1), pseudonymizer: .development)

    nonisolated(unsafe) private static var processor: (any KindProcessor)?

    static func prepare(kind: String) {
        guard let p = KindRegistry.standard()[kind] else { fuzzFailure("no processor for kind \(kind)") }
        processor = p
    }

    static func run(_ input: UnsafeRawBufferPointer) {
        guard let processor else { return }
        let direct = processor.process(bytes: input, context: context)
        let viaTree = processor.processParsed(bytes: input, context: context)
        guard direct == viaTree else {
            fuzzFailure("\(processor.kind): process(bytes:) and the tree path disagree:\n  bytes: \(summary(direct))\n  tree:  \(summary(viaTree))")
        }
        if case .success(let item) = direct {
            for (name, json) in [("bodyJSON", item.bodyJSON), ("enrichmentJSON", item.enrichmentJSON)] {
                do throws(JSONParseError) { _ = try JSONParser.parse(json) } catch {
                    fuzzFailure("\(processor.kind): \(name) of a processed item is not JSON: \(error)")
                }
            }
        }
        if processor.kind == "patient" {
            checkRedaction(processor, input)
        } else {
            // Other kinds' redaction (which may keep a body as it is) only has to finish.
            _ = processor.redacted(Array(input), pseudonymizer: .development)
            _ = processor.redacted(Array(input), pseudonymizer: nil)
        }
    }

    private static func checkRedaction(_ processor: any KindProcessor, _ input: UnsafeRawBufferPointer) {
        let body = Array(input)
        let parsedInput = try? JSONParser.parse(input)
        for pseudonymizer in [Pseudonymizer.development, nil] {
            let redacted = processor.redacted(body, pseudonymizer: pseudonymizer)
            let output: JSONValue
            do throws(JSONParseError) { output = try JSONParser.parse(redacted) } catch {
                fuzzFailure("patient: redacted body is not JSON: \(error)")
            }
            guard case .object(var root)? = parsedInput, case .object(var person)? = root["patient"],
                  case .string(let id)? = person["national_id"], id.count >= 15 else { continue }
            // Everywhere else the ID may occur in the input.
            person["national_id"] = nil
            root["patient"] = .object(person)
            let allowed = occurrences(of: Array(id.utf8), in: .object(root))
            let found = occurrences(of: Array(id.utf8), in: output)
            guard found <= allowed else {
                fuzzFailure("patient: the national ID \"\(id)\" occurs \(found) times in the redacted body (\(allowed) outside patient.national_id in the input):\n  \(String(decoding: redacted.prefix(1024), as: UTF8.self))")
            }
        }
    }

    /// How often `needle` occurs (overlapping occurrences counted) in the strings of `value`,
    /// member names included.
    private static func occurrences(of needle: [UInt8], in value: JSONValue) -> Int {
        switch value {
        case .null, .bool, .number: return 0
        case .string(let s): return occurrences(of: needle, in: Array(s.utf8))
        case .array(let items): return items.reduce(0) { $0 + occurrences(of: needle, in: $1) }
        case .object(let object):
            return object.members.reduce(0) { $0 + occurrences(of: needle, in: Array($1.key.utf8)) + occurrences(of: needle, in: $1.value) }
        }
    }

    private static func occurrences(of needle: [UInt8], in haystack: [UInt8]) -> Int {
        guard !needle.isEmpty, haystack.count >= needle.count else { return 0 }
        var n = 0
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) { n += 1 }
        return n
    }

    private static func summary(_ result: Result<ProcessedItem, ErrorBody>) -> String {
        switch result {
        case .success(let item):
            return "success body=\(String(decoding: item.bodyJSON.prefix(600), as: UTF8.self)) enrichment=\(String(decoding: item.enrichmentJSON.prefix(600), as: UTF8.self)) facts=\(item.facts)"
        case .failure(let error):
            return "failure \(String(decoding: JSONWriter.bytes(error.json).prefix(1200), as: UTF8.self))"
        }
    }
}
