import Foundation
import Synchronization
import ZeroMQ

/// The public keys allowed in one role: every `*.pub` file of a folder, named by its file name.
///
/// The folder is looked at again at most once a second, and read again when it changed (a
/// file added, removed or renamed changes its modification time): a key added is let in, and a
/// key removed is refused from then on, for new connections and for operator commands, without
/// a restart. Connections made before a key was removed stay open until they reconnect.
public final class KeyDirectory: Sendable {
    /// The folder, as given.
    public let path: String
    private struct State {
        var names: [CurveKey: String]
        var checkedAt: ContinuousClock.Instant
        var modified: Date?
    }
    private let state: Mutex<State>

    /// Reads the folder; refuses a missing folder or a `.pub` file that is not a public key.
    public init(path: String) throws {
        self.path = path
        let modified = Self.modified(path)
        state = Mutex(State(names: try Self.read(path, strict: true), checkedAt: .now, modified: modified))
    }

    /// The key's name (its file name without `.pub`), or nil when it is not allowed.
    public func name(of key: CurveKey) -> String? {
        refreshIfChanged()
        return state.withLock { $0.names[key] }
    }

    /// The keys allowed now.
    public var keys: Set<CurveKey> {
        refreshIfChanged()
        return Set(state.withLock { $0.names.keys })
    }

    /// Reads the folder again if it changed since it was last read (looked at once a second).
    private func refreshIfChanged() {
        let due: Date?? = state.withLock { s in
            guard ContinuousClock.now - s.checkedAt >= .seconds(1) else { return .none }
            s.checkedAt = .now
            return .some(s.modified)
        }
        guard case .some(let known) = due else { return }
        let now = Self.modified(path)
        guard now != known else { return }
        // A folder that cannot be read any more allows no one.
        let names = (try? Self.read(path, strict: false)) ?? [:]
        state.withLock { s in
            s.names = names
            s.modified = now
        }
    }

    private static func modified(_ path: String) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
    }

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
