import Crypto
import Foundation

/// Encrypts dead-letter bodies at rest (AES-GCM) with a key kept beside them
/// (`DATA/dead-letters.key`, mode 0600, made on first use), so the dead-letter file holds no body
/// in clear while `DLQ REQUEUE` can still put the original back. It protects a copied or
/// leaked file, not a reader of the whole data folder (who could read the journal anyway).
struct DeadLetterSeal {
    private let key: SymmetricKey

    init(keyURL: URL) throws {
        if let data = FileManager.default.contents(atPath: keyURL.path) {
            guard data.count == 32 else { throw BrokerError(.journal, "\(keyURL.path) is not a dead-letter key (32 bytes); move it away to start a new one (sealed bodies then cannot be requeued)") }
            key = SymmetricKey(data: data)
            return
        }
        let fresh = SymmetricKey(size: .bits256)
        let fd = open(keyURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BrokerError(.io, "cannot create the dead-letter key \(keyURL.path): errno \(errno)") }
        defer { close(fd) }
        let written = fresh.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == 32, fsync(fd) == 0 else { throw BrokerError(.io, "cannot write the dead-letter key \(keyURL.path)") }
        key = fresh
    }

    /// The body of item `id` of `kind` encrypted, as base64 (nonce, ciphertext and tag). The id
    /// and kind are authenticated with it, so a sealed body cannot be moved to another letter.
    func sealed(_ body: [UInt8], id: String, kind: String) -> String {
        // AES-GCM with a random nonce cannot fail for a valid key.
        let box = try! AES.GCM.seal(body, using: key, authenticating: Self.label(id, kind))
        return box.combined!.base64EncodedString()
    }

    /// The body, or nil when the text was not sealed with this key for this id and kind.
    func opened(_ sealed: String, id: String, kind: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: sealed), let box = try? AES.GCM.SealedBox(combined: data),
              let body = try? AES.GCM.open(box, using: key, authenticating: Self.label(id, kind)) else { return nil }
        return Array(body)
    }

    private static func label(_ id: String, _ kind: String) -> [UInt8] { Array(id.utf8) + [0] + Array(kind.utf8) }
}
