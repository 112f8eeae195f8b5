import ArgumentParser
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import KarezCollector
import KarezProtocol

/// `karez top`: the collector's summary in a terminal, refreshing.
struct TopCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "top",
        abstract: "Show throughput, latency per stage, queue, processes and domain figures from the collector, refreshing.")

    @Option(help: "The collector's HTTP address.")
    var collector = "http://127.0.0.1:7780"

    @Option(help: "Seconds between refreshes.")
    var interval = 1.0

    @Flag(help: "Print one screen and exit.")
    var once = false

    @OptionGroup var access: CollectorAccessOptions

    func run() async throws {
        while true {
            let screen: String
            do {
                let body = try await CollectorHTTP.get(collector, "/api/summary", token: try access.token())
                screen = TopScreen.render(try JSONParser.parse(body), collector: collector)
            } catch {
                if once { throw failure("karez top", error) }
                screen = "karez top: \(error)\n"
            }
            print(once ? screen : "\u{1B}[H\u{1B}[2J" + screen, terminator: "")
            fflush(nil)
            if once { return }
            try await Task.sleep(for: .seconds(max(0.2, interval)))
        }
    }
}

/// `karez report`: the domain report from the collector.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Print the domain report (patients seen, leads and investment, stories per outlet) from the collector.",
        discussion: "The figures come from the store's totals: each stored item counted once, also when workers were killed.")

    @Option(help: "The collector's HTTP address.")
    var collector = "http://127.0.0.1:7780"

    @Option(help: "text, markdown or json.")
    var format = "text"

    @OptionGroup var access: CollectorAccessOptions

    func validate() throws {
        guard ["text", "markdown", "json"].contains(format) else { throw ValidationError("--format must be text, markdown or json, got \(format)") }
    }

    func run() async throws {
        do {
            let body = try await CollectorHTTP.get(collector, "/api/report?format=\(format)", token: try access.token())
            print(String(decoding: body, as: UTF8.self), terminator: "")
        } catch { throw failure("karez report", error) }
    }
}

/// The bearer token of a collector that requires one (`--http-token-file`).
struct CollectorAccessOptions: ParsableArguments {
    @Option(help: ArgumentHelp("File holding the collector's bearer token (its --http-token-file).", valueName: "file"))
    var httpTokenFile: String?

    func token() throws -> String? { try httpTokenFile.map(HTTPToken.read) }
}

/// GET requests to the collector with a short deadline and a one-line error.
enum CollectorHTTP {
    static func get(_ base: String, _ path: String, token: String? = nil) async throws -> [UInt8] {
        let text = base.hasSuffix("/") ? String(base.dropLast()) + path : base + path
        guard let url = URL(string: text) else { throw CollectorHTTPError("\(text) is not a URL (--collector http://HOST:7780)") }
        var request = URLRequest(url: url)
        request.timeoutInterval = 5
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        do {
            let (data, response) = try await URLSession.shared.data(for: request)
            if let http = response as? HTTPURLResponse, http.statusCode != 200 {
                throw CollectorHTTPError("\(text) answered HTTP \(http.statusCode)\(http.statusCode == 401 ? " (it requires a token: --http-token-file)" : "")")
            }
            return Array(data)
        } catch let e as CollectorHTTPError { throw e } catch {
            throw CollectorHTTPError("cannot reach the collector at \(base): \(error.localizedDescription) (start it with `karez collector` or `karez up`, or pass --collector)")
        }
    }
}

struct CollectorHTTPError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}
