import Foundation
import KarezProtocol
import Testing
@testable import KarezDomain

/// The stored enrichment matches `proto-json/schemas/enrichment-news.schema.json`, checked by an
/// independent validator (Python's jsonschema, which `make test` installs).
@Suite struct NewsEnrichmentSchemaTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("proto-json/schemas/enrichment-news.schema.json")

    static let script = """
        import json, sys
        from jsonschema import Draft202012Validator
        schema = json.load(open(sys.argv[1], encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        validator = Draft202012Validator(schema)
        bad = 0
        for i, doc in enumerate(json.load(sys.stdin)):
            for e in validator.iter_errors(doc):
                bad += 1
                print(f"document {i}: {list(e.absolute_path)}: {e.message[:200]}")
        sys.exit(1 if bad else 0)
        """

    @Test func enrichmentsMatchTheSchema() throws {
        let bodies: [(String, News.Language?)] = [
            (NewsReferenceStory.body, .zh),
            ("Yiyang sent 19 doctors to Turpan on May 24, 2023, with CNY 12 million in aid; 80% went to villages.", nil),
            ("打印本页的说明。\n关闭", nil),
            ("x", nil),
            (String(repeating: "长句", count: 150), nil),
        ]
        var items: [JSONValue] = []
        for (body, language) in bodies {
            var members: [(String, JSONValue)] = [("body", .string(body))]
            if let language { members.append(("language", .string(language.rawValue))) }
            let item = try NewsProcessor().process(newsItem(members), context: newsContext).get()
            items.append(item.enrichment)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, Self.schema.path]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(JSONWriter.bytes(.array(items))))
        try input.fileHandleForWriting.close()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(report)")
    }
}
