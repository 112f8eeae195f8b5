import ArgumentParser
import Foundation
import KarezDomain
import KarezProtocol

/// `karez check`: validate and enrich JSON lines locally, without a broker.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate and enrich JSON lines locally, as a worker would, without a broker.",
        discussion: """
            Reads JSON lines from the files given (or standard input). A line may carry its own \
            "kind"; --kind is used for lines that do not. Valid items go to standard output as the \
            record that would be stored ({"id","kind","body","enrichment"}, personal data \
            pseudonymised); invalid ones go to standard error as {"line","id","errors":[...]}. \
            Exit status 0 when every item is valid, 1 otherwise.
            """
    )

    @Option(help: "Kind of lines that carry none: \(KindRegistry.kindNames.joined(separator: ", ")).")
    var kind: String?

    @Argument(help: "JSON-lines files (default: standard input).")
    var files: [String] = []

    @OptionGroup var pseudonym: PseudonymOptions

    func validate() throws {
        if let kind, KindRegistry.standard()[kind] == nil {
            throw ValidationError("--kind: unknown kind '\(kind)'; known kinds: \(KindRegistry.kindNames.joined(separator: ", "))")
        }
    }

    func run() throws {
        let pseudonymizer = try pseudonym.load(who: "karez check")
        let checker = LineChecker(defaultKind: kind, context: ProcessingContext(pseudonymizer: pseudonymizer))
        var invalid = 0
        var lineNumber = 0
        let sources = files.isEmpty ? ["-"] : files
        for source in sources {
            guard let handle = source == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: source) else {
                throw failure("karez check", "cannot read \(source)")
            }
            try JSONLines.forEach(handle) { line in
                lineNumber += 1
                switch checker.check(line) {
                case .none: break
                case .valid(let record): FileHandle.standardOutput.write(Data(record + [0x0A]))
                case .invalid(let id, let errors):
                    invalid += 1
                    var o = JSONObject([("line", .number(Double(lineNumber)))])
                    if let id { o["id"] = .string(id) }
                    o["errors"] = errors.json["errors"]
                    FileHandle.standardError.write(Data(JSONWriter.bytes(.object(o)) + [0x0A]))
                }
            }
        }
        if invalid > 0 { throw ExitCode(1) }
    }
}

/// Checks one JSON line: picks its kind and runs that kind's processor.
struct LineChecker {
    enum Outcome {
        case none
        case valid([UInt8])
        case invalid(id: String?, ErrorBody)
    }

    let defaultKind: String?
    let context: ProcessingContext
    let processors = KindRegistry.standard()

    func check(_ line: [UInt8]) -> Outcome {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return .none }
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch {
            return .invalid(id: nil, ErrorBody(code: error.code, message: error.description))
        }
        let id = json["id"]?.stringValue
        guard let kind = json["kind"]?.stringValue ?? defaultKind else {
            return .invalid(id: id, ErrorBody(path: "/kind", code: "required", message: "the line has no \"kind\" and no --kind was given"))
        }
        guard let processor = processors[kind] else {
            return .invalid(id: id, ErrorBody(path: "/kind", code: "unknown_kind",
                                              message: "unknown kind \"\(kind)\"; known kinds: \(processors.keys.sorted().joined(separator: ", "))"))
        }
        switch processor.process(json, context: context) {
        case .success(let item): return .valid(item.recordJSON)
        case .failure(let errors): return .invalid(id: id, errors)
        }
    }
}

/// Reads newline-separated records from a file handle in large chunks.
enum JSONLines {
    /// Calls `body` with each line's bytes (without the newline).
    static func forEach(_ handle: FileHandle, _ body: ([UInt8]) throws -> Void) throws {
        var pending: [UInt8] = []
        while true {
            let chunk = handle.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            pending.append(contentsOf: chunk)
            var start = 0
            while let nl = pending[start...].firstIndex(of: 0x0A) {
                try body(Array(pending[start..<nl]))
                start = nl + 1
            }
            pending.removeFirst(start)
        }
        if !pending.isEmpty { try body(pending) }
    }
}
