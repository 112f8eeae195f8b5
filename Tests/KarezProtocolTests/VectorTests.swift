import Foundation
import Testing
@testable import KarezProtocol

/// The repository's proto-json folder, found from this file's path.
let protoJSON = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("proto-json")

/// One test vector: `examples/<schema>/<valid|invalid>/<file>.json`.
struct Vector: CustomStringConvertible {
    let schema: String
    let expectedValid: Bool
    let url: URL
    var key: String { "\(schema)/\(expectedValid ? "valid" : "invalid")/\(url.lastPathComponent)" }
    var description: String { key }
}

func allVectors() throws -> [Vector] {
    let fm = FileManager.default
    var vectors: [Vector] = []
    // Wire bodies only: schemas of stored enrichment (enrichment-*) describe worker output and
    // are checked against what the domain produces by the domain's own tests.
    for schema in try fm.contentsOfDirectory(atPath: protoJSON.appendingPathComponent("examples").path).sorted()
        where !schema.hasPrefix("enrichment-") {
        for verdict in ["valid", "invalid"] {
            let dir = protoJSON.appendingPathComponent("examples/\(schema)/\(verdict)")
            guard let files = try? fm.contentsOfDirectory(atPath: dir.path) else { continue }
            for file in files.sorted() where file.hasSuffix(".json") {
                vectors.append(Vector(schema: schema, expectedValid: verdict == "valid", url: dir.appendingPathComponent(file)))
            }
        }
    }
    return vectors
}

@Suite("proto-json vectors: Swift and an independent JSON Schema validator agree")
struct VectorTests {
    @Test func everySchemaHasASwiftTypeAndVectors() throws {
        let schemas = try FileManager.default.contentsOfDirectory(atPath: protoJSON.appendingPathComponent("schemas").path)
            .filter { $0.hasSuffix(".schema.json") && !$0.hasPrefix("enrichment-") }.map { String($0.dropLast(".schema.json".count)) }
        #expect(Set(schemas) == Set(SchemaRegistry.names))
        let vectors = try allVectors()
        for schema in schemas {
            #expect(vectors.contains { $0.schema == schema && $0.expectedValid }, "no valid vector for \(schema)")
            #expect(vectors.contains { $0.schema == schema && !$0.expectedValid }, "no invalid vector for \(schema)")
        }
    }

    @Test func swiftVerdictsMatchTheVectorsAndPythonJSONSchema() throws {
        let vectors = try allVectors()
        let python = try pythonVerdicts()
        var agreed = 0
        for vector in vectors {
            let data = try Data(contentsOf: vector.url)
            let found = data.withUnsafeBytes { raw -> [Violation] in
                do throws(JSONParseError) {
                    let json = try JSONParser.parse(raw)
                    return SchemaRegistry.violations(of: json, schema: vector.schema) ?? [Violation(path: "", code: "no_schema", message: vector.schema)]
                } catch {
                    return [Violation(path: "", code: "not_json", message: error.description)]
                }
            }
            let swiftValid = found.isEmpty
            #expect(swiftValid == vector.expectedValid, "\(vector): Swift says \(swiftValid ? "valid" : "invalid \(found)")")
            guard let pythonValid = python[vector.key] else {
                Issue.record("\(vector) missing from check.py --verdicts")
                continue
            }
            #expect(swiftValid == pythonValid, "\(vector): Swift \(swiftValid), jsonschema \(pythonValid)")
            if !swiftValid {
                for v in found { #expect(Patterns.isJSONPointer(v.path) && !v.message.isEmpty, "\(vector): \(v)") }
            }
            if swiftValid == pythonValid && swiftValid == vector.expectedValid { agreed += 1 }
        }
        #expect(python.filter { !$0.key.hasPrefix("enrichment-") }.count == vectors.count)
        print("proto-json vectors: \(agreed) of \(vectors.count) agree (Swift = jsonschema = expected verdict)")
        #expect(agreed == vectors.count)
        #expect(vectors.count >= 60)
    }

    /// Runs `proto-json/check.py --verdicts` (Python's `jsonschema`, nothing written here).
    func pythonVerdicts() throws -> [String: Bool] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", protoJSON.appendingPathComponent("check.py").path, "--verdicts"]
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CheckFailed(message: "check.py --verdicts failed (run `make test`, which installs python3-jsonschema): \(errors)")
        }
        let json = try JSONParser.parse(Array(data))
        return Dictionary(uniqueKeysWithValues: (json.objectValue?.members ?? []).compactMap { m in m.value.boolValue.map { (m.key, $0) } })
    }
}

struct CheckFailed: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
