import Foundation
import KarezProtocol

/// Checks documents against a proto-json schema with an independent validator (Python's
/// jsonschema, which `make test` installs); shared by the enrichment schema tests.
enum SchemaValidation {
    /// `proto-json/schemas/<name>.schema.json` in the repository, found from this file's path.
    static func schema(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("proto-json/schemas/\(name).schema.json")
    }

    /// Validates the JSON array of documents in the file `argv[2]` against the schema `argv[1]`;
    /// prints one line per error (the first 20) and exits 1 when there is any.
    static let script = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        bad = 0
        for i, doc in enumerate(json.load(open(sys.argv[2], encoding="utf-8"))):
            for e in validator.iter_errors(doc):
                bad += 1
                if bad <= 20:
                    print(f"document {i}: {list(e.absolute_path)}: {e.message[:200]}")
        if bad > 20:
            print(f"... {bad} errors in all")
        sys.exit(1 if bad else 0)
        """

    /// Validates `documents` against the schema `name`: the validator's exit status (0 when every
    /// document is valid) and its report. The documents go through a temporary file, removed
    /// afterwards, so that thousands of them neither fill a pipe nor meet a validator that died.
    static func validate(_ documents: [JSONValue], against name: String) throws -> (status: Int32, report: String) {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("karez-\(name)-\(UUID().uuidString).json")
        try Data(JSONWriter.bytes(.array(documents))).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, schema(name).path, file.path]
        let output = Pipe()
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, report)
    }
}
