import Foundation
import KarezDomain
import KarezProtocol

/// Shared helpers of the patient and lead tests: the proto-json vectors and a fixed context.
enum PatientFixtures {
    /// The repository's proto-json folder, found from this file's path.
    static let protoJSON = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("proto-json")

    /// The day the proto-json vectors are checked against.
    static let today = CalendarDate(year: 2026, month: 11, day: 29)

    static let context = ProcessingContext(today: today, pseudonymizer: .development)

    /// The parsed vectors of `examples/<kind>/<verdict>/`, by file name.
    static func vectors(_ kind: String, _ verdict: String = "valid") throws -> [(name: String, json: JSONValue)] {
        let dir = protoJSON.appendingPathComponent("examples/\(kind)/\(verdict)")
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".json") }.sorted().map { name in
            (name, try JSONParser.parse(Array(try Data(contentsOf: dir.appendingPathComponent(name)))))
        }
    }

    /// One vector by file name.
    static func vector(_ kind: String, _ name: String) throws -> JSONValue {
        try JSONParser.parse(Array(try Data(contentsOf: protoJSON.appendingPathComponent("examples/\(kind)/valid/\(name)"))))
    }

    /// `value` with the member at `path` (object keys) set, or removed when `newValue` is nil.
    static func setting(_ value: JSONValue, _ path: [String], _ newValue: JSONValue?) -> JSONValue {
        guard case .object(var o) = value, let first = path.first else { return newValue ?? value }
        if path.count == 1 {
            o[first] = newValue
        } else {
            o[first] = setting(o[first] ?? .object(JSONObject()), Array(path.dropFirst()), newValue)
        }
        return .object(o)
    }

    /// The violations of a failed result, or nothing when it succeeded.
    static func violations(_ result: Result<ProcessedItem, ErrorBody>) -> [Violation] {
        if case .failure(let error) = result { return error.errors }
        return []
    }
}
