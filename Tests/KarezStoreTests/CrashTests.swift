import Foundation
import KarezTestSupport
import Testing
@testable import KarezStore

/// The `karez` executable built beside the tests (`swift build --build-tests` builds it).
let karezBinary = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent(".build/debug/karez")

@Suite("kill -9 in the middle of a batch")
struct CrashTests {
    /// A writer process is killed while it commits 1,000-row batches: afterwards every batch
    /// is either whole or absent.
    @Test(arguments: Backend.testable)
    func killedWriterLeavesOnlyWholeBatches(_ backend: Backend) async throws {
        #expect(FileManager.default.isExecutableFile(atPath: karezBinary.path), "build karez first: swift build")
        let (store, url) = try await freshStore(backend)
        let writer = Process()
        writer.executableURL = karezBinary
        writer.arguments = ["bench", "store", "--\(backend.rawValue)", url, "--modes", "batched", "--count", "400000",
                            "--batch-size", "1000", "--repeats", "1", "--id-prefix", "crash"]
        writer.standardOutput = FileHandle.nullDevice
        try writer.run()
        // Kill it once a few batches are in, while it is writing more.
        _ = try await eventually(timeout: .seconds(60), every: .milliseconds(20)) {
            try await store.count(kind: "patient", rejected: false) >= 3000 || !writer.isRunning
        }
        #expect(writer.isRunning, "the writer finished before it could be killed: raise --count")
        kill(writer.processIdentifier, SIGKILL)
        writer.waitUntilExit()
        #expect(writer.terminationReason == .uncaughtSignal)

        var perBatch: [String: Int] = [:]
        var after: String?
        while true {
            let page = try await store.records(kind: "patient", rejected: false, after: after, limit: 5000)
            guard let last = page.last else { break }
            for r in page { perBatch[String(r.id.split(separator: "-").dropLast().joined(separator: "-")), default: 0] += 1 }
            after = last.id
        }
        let partial = perBatch.filter { $0.value != 1000 }
        #expect(perBatch.count >= 3)
        #expect(partial.isEmpty, "partial batches: \(partial)")
        let rows = perBatch.values.reduce(0, +)
        #expect(try await store.count(kind: "patient", rejected: false) == rows)
        #expect(try await store.totals().map(\.value).reduce(0, +) == Double(rows))
        print("kill -9 (\(backend)): \(perBatch.count) whole batches of 1000 survived, no partial batch")
        await store.close()
    }
}
