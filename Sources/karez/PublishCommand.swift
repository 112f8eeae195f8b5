import ArgumentParser
import Foundation
import KarezClient
import KarezWire
import KarezProtocol
import ZeroMQ

/// `karez publish`: publish JSON lines to a broker.
struct PublishCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Publish JSON lines (files or stdin) to a broker and wait for acknowledgements.",
        discussion: """
            Each line is one item. A line may carry "kind" and "id"; --kind is used for lines without \
            a kind, and an id (PREFIX-LINE) is generated for lines without one. Prints one summary \
            line; each refused item gets one line on stderr with its line number, id and errors. \
            Exit status: 0 all acknowledged, 1 some refused, 2 the broker could not be reached \
            within --timeout.
            """)

    @Option(help: "The broker's front endpoint; or the brokers of a partitioned set, comma-separated and in the same order for every producer: each item goes to the broker its kind and id hash to (PROTOCOL.md 8.1).")
    var broker = "tcp://127.0.0.1:7700"

    @OptionGroup(title: "Security")
    var security: ClientSecurityOptions

    @Option(help: "Kind of lines that carry none.")
    var kind: String?

    @Option(help: "Seconds to wait for the broker before giving up (exit 2).")
    var timeout = 10

    @Option(help: "Most items in flight (sent, not yet acknowledged).")
    var window = 20_000

    @Option(help: "Prefix of generated ids.")
    var idPrefix = "item-\(UInt32.random(in: 0...UInt32.max))"

    @Flag(help: "Also wait until every acknowledged item is stored (FIN done) or dead-lettered, invalid items included (FIN dead); exit 1 if some were dead-lettered or had no FIN for max(--timeout, 30) s. Items still unfinished are sent again with PUBW when no FIN came for 5 s (doubling), so a broker restart costs nothing.")
    var wait = false

    @Argument(help: "JSON-lines files (default: standard input).")
    var files: [String] = []

    func run() throws {
        var items: [PublishedItem] = []
        var lineOf: [String: Int] = [:]
        var refusedLocally = 0
        var lineNumber = 0
        for source in files.isEmpty ? ["-"] : files {
            guard let handle = source == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: source) else {
                throw failure("karez publish", "cannot read \(source); nothing was published", status: 2)
            }
            try JSONLines.forEach(handle) { line in
                lineNumber += 1
                guard line.contains(where: { $0 > 0x20 }) else { return }
                switch ItemLine.parse(line, defaultKind: kind, generatedID: "\(idPrefix)-\(lineNumber)") {
                case .success(let item):
                    items.append(item)
                    lineOf[item.id] = lineNumber
                case .failure(let problem):
                    refusedLocally += 1
                    report(line: lineNumber, id: problem.value.0, problem.value.1)
                }
            }
        }
        let context = try Context()
        let curve: CurveClientKeys?
        do { curve = try security.keys() } catch { throw failure("karez publish", error, status: 2) }
        let endpoints = try brokerList(broker)
        let publisher = try Publisher(context: context, endpoints: endpoints, curve: curve)
        publisher.window = max(1, window)
        publisher.watch = wait
        let silent = zip(endpoints, try publisher.pingAll(timeout: .seconds(timeout))).filter { $0.1 == nil }.map(\.0)
        guard silent.isEmpty else {
            throw failure("karez publish", "no broker answered at \(silent.joined(separator: ", ")) within \(timeout)s; nothing was published (is `karez broker` or `karez up` running there? With CURVE: are --curve-key and --server-key right, and is this key in its --producers?)", status: 2)
        }
        let summary: Publisher.Summary
        do {
            summary = try publisher.publish(items, giveUpAfter: .seconds(max(timeout, 30))) { outcome in
                if case .refused(let id, let error) = outcome { report(line: lineOf[id] ?? 0, id: id, error) }
            }
        } catch {
            throw failure("karez publish", error, status: 2)
        }
        let refused = summary.refused + refusedLocally
        let finished = wait ? ", done \(summary.done), dead-lettered \(summary.dead), unfinished \(summary.unfinished)" : ""
        print("published \(summary.published), acknowledged \(summary.acknowledged), refused \(refused), "
              + "duplicates \(summary.duplicates), resent \(summary.retried)\(finished), elapsed \(String(format: "%.2f", summary.seconds))s, \(Int(summary.rate)) items/s")
        if summary.unfinished > 0 {
            warn("karez publish: \(summary.unfinished) acknowledged items got no FIN for \(max(timeout, 30)) s although they were sent again (no worker running? a store down?); they are still queued, not lost")
        }
        if refused > 0 || summary.dead > 0 || summary.unfinished > 0 { throw ExitCode(1) }
    }

    private func report(line: Int, id: String?, _ error: ErrorBody) {
        var o = JSONObject([("line", .number(Double(line)))])
        if let id { o["id"] = .string(id) }
        o["errors"] = error.json["errors"]
        FileHandle.standardError.write(Data(JSONWriter.bytes(.object(o)) + [0x0A]))
    }
}

/// Turns one JSON line into an item to publish.
enum ItemLine {
    static func parse(_ line: [UInt8], defaultKind: String?, generatedID: String) -> Result<PublishedItem, ErrorPair> {
        let json: JSONValue
        do { json = try JSONParser.parse(line) } catch {
            return .failure(ErrorPair((nil, ErrorBody(code: error.code, message: error.description))))
        }
        guard var object = json.objectValue else {
            return .failure(ErrorPair((nil, ErrorBody(code: "not_object", message: "a line must be a JSON object"))))
        }
        let id = object["id"]?.stringValue
        guard let kind = object["kind"]?.stringValue ?? defaultKind else {
            return .failure(ErrorPair((id, ErrorBody(path: "/kind", code: "required", message: "the line has no \"kind\" and no --kind was given"))))
        }
        if id == nil {
            object["id"] = .string(generatedID)
            return .success(PublishedItem(id: generatedID, kind: kind, body: JSONWriter.bytes(.object(object))))
        }
        return .success(PublishedItem(id: id!, kind: kind, body: line))
    }

    /// An id (when known) and why the line cannot be published.
    struct ErrorPair: Error {
        let value: (String?, ErrorBody)
        init(_ value: (String?, ErrorBody)) { self.value = value }
    }
}

