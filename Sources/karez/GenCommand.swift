import ArgumentParser
import Foundation
import KarezDomain
import KarezProtocol

/// `karez gen`: realistic synthetic work items, or the reference data set, as JSON lines ready for
/// `karez publish` or `karez check`.
struct GenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gen",
        abstract: "Write synthetic items, or the reference data set, as JSON lines.",
        discussion: """
            karez gen --kind patient --count 1000 [--seed 7] writes patient visits with valid resident \
            IDs, ICD-10 codes, facilities and departments; --kind lead writes investment leads with \
            valid credit codes, sectors and amounts in every written form; --kind news writes short \
            Chinese stories with dates, places, amounts and counts. The same seed gives the same items.

            karez gen --reference writes the reference data set: the reference story (益阳日报, \
            2024-01-10), 723 visits to the 221st Regiment's hospital, 706 health checks, 38 surgeries, \
            17 leads (4 signed, 2 landed), 104 short stories across the outlets the story names, and \
            5 invalid items (ids starting bad-) that processing refuses with their reasons.

            Every line is one JSON object with "id" and "kind".
            """
    )

    @Option(name: .long, help: ArgumentHelp("Kind of items: news, patient or lead.", valueName: "kind"))
    var kind: String?

    @Option(name: .long, help: ArgumentHelp("Number of items to write.", valueName: "n"))
    var count: Int?

    @Option(name: .long, help: ArgumentHelp("Generator seed (0 or more); the same seed gives the same items.", valueName: "s"))
    var seed: UInt64?

    @Flag(name: .long, help: "Write the reference data set instead (takes no --kind, --count or --seed).")
    var reference = false

    @Option(name: [.short, .long], help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file"))
    var output: String?

    func validate() throws {
        if reference {
            guard kind == nil, count == nil, seed == nil else {
                throw ValidationError("--reference writes a fixed data set: leave out --kind, --count and --seed")
            }
            return
        }
        guard let kind else { throw ValidationError("give --kind news|patient|lead and --count N, or --reference") }
        guard KindRegistry[kind]?.generate != nil else {
            throw ValidationError("--kind: unknown kind '\(kind)' (use \(KindRegistry.generatedKindNames.joined(separator: ", ")))")
        }
        guard let count else { throw ValidationError("--count is required with --kind") }
        guard count >= 0 else { throw ValidationError("--count must be 0 or more, got \(count)") }
    }

    func run() throws {
        let sink = try LineSink(path: output)
        if reference {
            ReferenceDataSet.generate { sink.write($0) }
        } else if let kind, let count {
            SyntheticData.generate(kind, count: count, seed: seed ?? 1) { sink.write($0) }
        }
        try sink.finish()
    }
}

/// Buffers JSON lines and writes them to standard output or a file in large chunks.
private final class LineSink {
    private let handle: FileHandle
    private let path: String?
    private var buffer: [UInt8] = []
    private var failure: Error?

    init(path: String?) throws {
        self.path = path
        if let path {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw GenError("cannot create the output file \(path)")
            }
            self.handle = handle
        } else {
            handle = FileHandle.standardOutput
        }
        buffer.reserveCapacity(1 << 20)
    }

    func write(_ item: JSONValue) {
        JSONWriter.write(item, into: &buffer)
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= 1 << 20 { flush() }
    }

    private func flush() {
        guard failure == nil, !buffer.isEmpty else { return }
        do { try handle.write(contentsOf: buffer) } catch { failure = error }
        buffer.removeAll(keepingCapacity: true)
    }

    func finish() throws {
        flush()
        if path != nil { try handle.close() }
        if let failure { throw failure }
    }
}

/// A failure while writing, reported as `Error: <message>`.
private struct GenError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
