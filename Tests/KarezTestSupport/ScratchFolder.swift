import Foundation
import Synchronization

/// Temporary folders for tests: each is new and empty, and every folder made is removed when the
/// test process exits, so repeated `make test` runs do not fill the temporary directory (a test
/// process killed outright leaves its folders behind).
public enum ScratchFolder {
    private static let made = Mutex<[URL]>([])

    /// A new folder named `karez-NAME-` and eight random hex digits in the temporary directory.
    public static func make(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("karez-\(name)-\(UUID().uuidString.prefix(8))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        made.withLock { folders in
            if folders.isEmpty { atexit { ScratchFolder.removeAll() } }
            folders.append(url)
        }
        return url
    }

    /// Removes every folder made so far.
    static func removeAll() {
        for url in made.withLock({ $0 }) { try? FileManager.default.removeItem(at: url) }
    }
}
