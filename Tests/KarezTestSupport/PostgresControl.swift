import Foundation

/// Runs `scripts/test-postgres.sh` for a private server (its own folder and port) with
/// `system(3)`: the server it starts outlives the script, which Foundation's `Process` does not
/// always notice on Linux.
public func postgresControl(_ command: String, port: Int, dir: String) throws -> String {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/test-postgres.sh")
    let out = FileManager.default.temporaryDirectory.appendingPathComponent("karez-pgctl-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: out) }
    let err = out.appendingPathExtension("err")
    defer { try? FileManager.default.removeItem(at: err) }
    let status = system("KAREZ_PG_PORT=\(port) KAREZ_PG_DIR='\(dir)' '\(script.path)' \(command) > '\(out.path)' 2> '\(err.path)'")
    guard status == 0 else {
        let said = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        let log = (try? String(contentsOfFile: dir + "/log", encoding: .utf8)).map { String($0.suffix(1500)) } ?? ""
        throw PostgresControlError("test-postgres.sh \(command) failed with status \(status): \(said.suffix(1500))\(log.isEmpty ? "" : "\nserver log: \(log)")")
    }
    return (try? String(contentsOf: out, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
}

/// `scripts/test-postgres.sh` failed.
public struct PostgresControlError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
