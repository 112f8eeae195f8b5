import Foundation
import Hummingbird

/// The bearer token of the collector's HTTP API (`--http-token-file`).
public enum HTTPToken {
    /// Why a token file cannot be used.
    public struct Problem: Error, CustomStringConvertible {
        public let description: String
    }

    /// Reads the token: the file's first line, at least 16 characters, the file not readable by
    /// group or others.
    public static func read(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path), data.count <= 4096 else {
            throw Problem(description: "cannot read the token file \(path) (a file of one line; make one with: head -c 24 /dev/urandom | base64 > \(path); chmod 600 \(path))")
        }
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o077 != 0 {
            throw Problem(description: "\(path) is readable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))); run: chmod 600 \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        guard token.utf8.count >= 16 else { throw Problem(description: "the token in \(path) must be at least 16 characters, got \(token.utf8.count)") }
        return token
    }

    /// Compares in time independent of where the texts differ.
    static func equal(_ a: Substring, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Requires the bearer token on every path except the open ones: `Authorization: Bearer TOKEN`,
/// or `?token=TOKEN` (how a browser opens the dashboard, which then sends the header itself).
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: String
    let openPaths: Set<String>

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if openPaths.contains(request.uri.path) || presents(request) { return try await next(request, context) }
        return Response(status: .unauthorized, headers: [.wwwAuthenticate: "Bearer", .contentType: "text/plain"],
                        body: .init(byteBuffer: ByteBuffer(string: "a bearer token is required (Authorization: Bearer TOKEN, or ?token=TOKEN); see collector --http-token-file\n")))
    }

    private func presents(_ request: Request) -> Bool {
        // The scheme is case-insensitive (RFC 9110 11.1).
        if let header = request.headers[.authorization], header.prefix(7).lowercased() == "bearer ", HTTPToken.equal(header.dropFirst(7), token) { return true }
        if let query = request.uri.queryParameters.get("token"), HTTPToken.equal(Substring(query), token) { return true }
        return false
    }
}
