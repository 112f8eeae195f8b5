import Foundation

/// Where a store lives: `sqlite:PATH[?synchronous=normal]` (the default,
/// `sqlite:./karez-data/karez.sqlite`, commits with `synchronous = FULL`; `normal` is for
/// benchmarks that measure what durable commits cost) or
/// `postgres://user[:password]@host[:port]/database[?sslmode=disable|prefer|require]`.
public enum StoreURL: Sendable, Equatable, CustomStringConvertible {
    case sqlite(path: String, fullSync: Bool = true)
    case postgres(PostgresLocation)

    /// The default store of every command.
    public static let defaultURL = "sqlite:./karez-data/karez.sqlite"

    /// Connection details of a PostgreSQL store.
    public struct PostgresLocation: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var user: String
        public var password: String?
        public var database: String
        public var sslMode: String
    }

    /// Parses a store URL; the error says what form is expected.
    public init(_ text: String) throws {
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path = String(path.dropFirst(2)) }
            var fullSync = true
            if let q = path.range(of: "?synchronous=") {
                let mode = path[q.upperBound...]
                guard mode == "normal" || mode == "full" else {
                    throw StoreError(.configuration, "store URL \"\(text)\": synchronous must be full or normal, got \(mode)")
                }
                fullSync = mode == "full"
                path = String(path[..<q.lowerBound])
            }
            guard !path.isEmpty else { throw StoreError(.configuration, "store URL \"\(text)\" has no path; use sqlite:PATH, e.g. \(Self.defaultURL)") }
            self = .sqlite(path: path, fullSync: fullSync)
            return
        }
        guard text.hasPrefix("postgres://") || text.hasPrefix("postgresql://"),
              let components = URLComponents(string: text), let host = components.host, !host.isEmpty else {
            throw StoreError(.configuration, "store URL \"\(Self.redact(text))\" is not understood; use sqlite:PATH or postgres://user:password@host:5432/database")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        let ssl = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard ["disable", "prefer", "require"].contains(ssl) else {
            throw StoreError(.configuration, "store URL \(Self.redact(text)): sslmode must be disable, prefer or require, got \(ssl)")
        }
        self = .postgres(PostgresLocation(
            host: host, port: components.port ?? 5432, user: components.user ?? "postgres",
            password: components.password?.removingPercentEncoding, database: database.isEmpty ? (components.user ?? "postgres") : database,
            sslMode: ssl))
    }

    /// Sets a PostgreSQL URL's password from the first line of `file`.
    public mutating func readPassword(from file: String) throws {
        guard case .postgres(var location) = self else {
            throw StoreError(.configuration, "a store password file (\(file)) is for a postgres:// store, not \(self)")
        }
        guard location.password == nil else {
            throw StoreError(.configuration, "\(self) has a password and a password file (\(file)) was given too; keep it in the file only")
        }
        let text: String
        do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
            throw StoreError(.configuration, "cannot read the store password file \(file): \((error as NSError).localizedDescription)")
        }
        let password = String(text.prefix { !$0.isNewline })
        guard !password.isEmpty else { throw StoreError(.configuration, "the store password file \(file) is empty; its first line is the password") }
        location.password = password
        self = .postgres(location)
    }

    /// The URL with any password replaced by `***`.
    public var description: String {
        switch self {
        case .sqlite(let path, let fullSync): "sqlite:\(path)\(fullSync ? "" : "?synchronous=normal")"
        case .postgres(let p): "postgres://\(p.user)\(p.password == nil ? "" : ":***")@\(p.host):\(p.port)/\(p.database)"
        }
    }

    /// Hides the password of a URL given as text, for error messages.
    public static func redact(_ text: String) -> String {
        guard let at = text.firstIndex(of: "@"), let scheme = text.range(of: "://"), scheme.upperBound < at,
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}

/// Opens the store a URL names and brings its schema up to date.
/// - Parameter passwordFile: a file whose first line is the PostgreSQL password, so that it is
///   never on a command line (a URL without a password).
public func openStore(_ url: String, passwordFile: String? = nil) async throws -> any Store {
    var parsed = try StoreURL(url)
    if let passwordFile { try parsed.readPassword(from: passwordFile) }
    let store: any Store
    switch parsed {
    case .sqlite(let path, let fullSync): store = try SQLiteStore(path: path, fullSync: fullSync)
    case .postgres(let location): store = try await PostgresStore(location)
    }
    try await store.migrate()
    return store
}
