import Foundation

/// Runs `scripts/test-postgres.sh` for a private server (its own folder and port) with
/// `system(3)`: the server it starts outlives the script, which Foundation's `Process` does not
/// always notice on Linux.
public func postgresControl(_ command: String, port: Int, dir: String) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/test-postgres.sh")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("karez-pgctl-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let status = system("KAREZ_PG_PORT=\(port) KAREZ_PG_DIR='\(dir)' '\(script.path)' \(command) > '\(out.path)' 2>/dev/null")
    guard status == 0 else { throw PostgresControlError("test-postgres.sh \(command) failed with status \(status)") }
    return (try? String(contentsOf: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
}

/// `scripts/test-postgres.sh` failed.
public struct PostgresControlError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
