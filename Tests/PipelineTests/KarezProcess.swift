import Foundation
import KarezTestSupport

/// The repository root and the `karez` executable built beside the tests.
let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let karezPath = repoRoot.appendingPathComponent(".build/debug/karez").path

/// A running `karez` (or other) child process whose output is collected.
final class Child: @unchecked Sendable {
    let process = Process()
    private let output = OutputBuffer()

    static let pseudonymKeyVariable = "KAREZ_PSEUDONYM_KEY"

    /// Starts `karez` with the arguments.
    convenience init(_ arguments: [String]) throws {
        try self.init(executable: karezPath, arguments: arguments)
    }

    init(executable: String, arguments: [String], stdin: URL? = nil, environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        // Workers refuse to start without a pseudonymisation key: tests use a test key.
        let testKey = [Self.pseudonymKeyVariable: "karez-test-pseudonym-key-0123456789"]
        process.environment = testKey.merging(ProcessInfo.processInfo.environment) { $1 }.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: stdin) }
        pipe.fileHandleForReading.readabilityHandler = { [output] h in
            let data = h.availableData
            if !data.isEmpty { output.append(String(decoding: data, as: UTF8.self)) }
        }
        try process.run()
    }

    var text: String { output.text }
    var isRunning: Bool { process.isRunning }

    /// Waits for a line containing `marker`, up to `timeout`.
    func waitFor(_ marker: String, timeout: Duration = .seconds(30)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if text.contains(marker) { return text }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw PipelineTestError("no '\(marker)' from \(process.arguments ?? []) within \(timeout); output:\n\(text)")
    }

    /// Waits for the process to end and returns its exit status.
    func finish(timeout: Duration = .seconds(120)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else {
                process.terminate()
                throw PipelineTestError("\(process.arguments ?? []) did not finish within \(timeout); output:\n\(text)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(50)) // let the last output arrive
        return process.terminationStatus
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    func terminate() async throws -> Int32 {
        kill(process.processIdentifier, SIGTERM)
        return try await finish(timeout: .seconds(30))
    }
}

/// Runs `karez` to completion and returns (status, output).
func karez(_ arguments: [String], timeout: Duration = .seconds(180)) async throws -> (Int32, String) {
    try await runToEnd(karezPath, arguments, timeout: timeout)
}

/// Runs a command to completion and returns (status, output).
func runToEnd(_ executable: String, _ arguments: [String], stdin: URL? = nil, timeout: Duration = .seconds(180)) async throws -> (Int32, String) {
    let child = try Child(executable: executable, arguments: arguments, stdin: stdin)
    let status = try await child.finish(timeout: timeout)
    return (status, child.text)
}

struct PipelineTestError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

/// A TCP port nobody listens on now (still free when the child binds it, unless another
/// process takes it in between).
func freePort() -> Int { freeTCPPort() }

/// The endpoint `karez up` printed for producers ("publish to tcp://…").
func endpoint(after marker: String, in text: String) -> String? {
    guard let r = text.range(of: marker) else { return nil }
    return text[r.upperBound...].split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\n" }).first.map(String.init)
}

/// Text appended by one thread and read by others.
final class OutputBuffer: @unchecked Sendable {
    private let lock = NSLock()
    private var value = ""
    func append(_ s: String) { lock.lock(); value += s; lock.unlock() }
    var text: String { lock.lock(); defer { lock.unlock() }; return value }
}
