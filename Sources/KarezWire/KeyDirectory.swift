import Foundation
import Synchronization
import ZeroMQ

/// The public keys allowed in one role: every `*.pub` file of a folder, named by its file name.
///
/// A key not in the list makes the folder be read again (at most once a second), so a key
/// added while a server runs is let in without a restart; a removed key stays allowed until
/// the next reread (connections already made stay open).
public final class KeyDirectory: Sendable {
    /// The folder, as given.
    public let path: String
    private let state: Mutex<(names: [CurveKey: String], readAt: ContinuousClock.Instant)>

    /// Reads the folder; refuses a missing folder or a `.pub` file that is not a public key.
    public init(path: String) throws {
        self.path = path
        state = Mutex((try Self.read(path, strict: true), .now))
    }

    /// The key's name (its file name without `.pub`), or nil when it is not allowed.
    public func name(of key: CurveKey) -> String? {
        if let name = state.withLock({ $0.names[key] }) { return name }
        let reread: [CurveKey: String]? = state.withLock { s in
            guard ContinuousClock.now - s.readAt >= .seconds(1) else { return nil }
            s.readAt = .now
            return [:]
        }
        guard reread != nil, let names = try? Self.read(path, strict: false) else { return nil }
        return state.withLock { s in
            s.names = names
            return names[key]
        }
    }

    /// The keys allowed now.
    public var keys: Set<CurveKey> { Set(state.withLock { $0.names.keys }) }

    private static func read(_ path: String, strict: Bool) throws -> [CurveKey: String] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
            throw CurveKeyFile.Problem(description: "\(path): no such folder of allowed public keys (*.pub files from karez keys generate)")
        }
        var names: [CurveKey: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: path).sorted() where file.hasSuffix(".pub") {
            do { names[try CurveKeyFile.readPublicKey(path + "/" + file)] = String(file.dropLast(4)) } catch {
                if strict { throw error }
            }
        }
        return names
    }
}
