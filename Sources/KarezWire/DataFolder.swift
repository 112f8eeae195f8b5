import Foundation

/// Files and folders Karez creates: private to their owner (folders 0700, files 0600), since
/// they may hold keys, journals with item bodies in flight, or store files.
///
/// The `karez` command also sets its umask to 077, so files made by libraries (SQLite's
/// journal and WAL files, for example) are private as well.
public enum DataFolder {
    /// Creates the folder (and missing parents) with mode 0700; an existing folder keeps its mode.
    public static func create(_ url: URL) throws {
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Writes a new file readable by its owner only; fails if it exists.
    public static func writePrivate(_ data: Data, to url: URL) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteFileExists, userInfo: [NSFilePathErrorKey: url.path]) }
        defer { close(fd) }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == data.count else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path]) }
    }

    /// Makes every file and folder the process creates from now on private (umask 077).
    public static func makeNewFilesPrivate() {
        umask(0o077)
    }
}
