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
            a kind, and an id (PREFIX-LINE) is generated for lines without one. --delay, --not-before, \
            --priority, --ttl, --expires-at and --traceparent apply to every line; a line can set its \
            own in a "karez" member, e.g. "karez": {"delay_ms": 30000, "priority": 7} (the members \
            of a PUBX options frame, PROTOCOL.md 3.6, overriding the flags), which is removed before \
            publishing. Prints one summary line; each refused item gets one line on stderr with its \
            line number, id and errors. Exit status: 0 all acknowledged, 1 some refused, 2 the broker \
            could not be reached within --timeout.
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

    @Flag(help: "Also wait until every acknowledged item is stored (FIN done) or dead-lettered, invalid items included (FIN dead), or expired or cancelled; exit 1 if some were not done or had no FIN for max(--timeout, 30) s (delayed items: plus their delay). Items still unfinished are sent again with PUBW when no FIN came for 5 s (doubling), so a broker restart costs nothing.")
    var wait = false

    @Option(help: ArgumentHelp("Deliver no sooner than this after the broker accepts each item: 500ms, 30s, 5m, 1h, 2d.", valueName: "duration"))
    var delay: String?

    @Option(help: ArgumentHelp("Deliver no sooner than this time (RFC 3339, e.g. 2026-12-06T18:00:00Z).", valueName: "time"))
    var notBefore: String?

    @Option(help: "Priority 0 (the default, lowest) to 9: higher priorities are delivered first; a waiting item rises one level every --priority-aging-ms of the broker, so none starves.")
    var priority: Int?

    @Option(help: ArgumentHelp("An item not started this long after the broker accepted it ends expired (FIN expired): 30s, 1h…", valueName: "duration"))
    var ttl: String?

    @Option(help: ArgumentHelp("An item not started by this time (RFC 3339) ends expired.", valueName: "time"))
    var expiresAt: String?

    @Option(help: "W3C trace context for every item (00-<trace id>-<parent id>-<flags>): carried to the worker, its log and the stored record.")
    var traceparent: String?

    @Argument(help: "JSON-lines files (default: standard input).")
    var files: [String] = []

    /// The run's options as the members of an options frame (checked in ``validate()``).
    var runOptions: JSONObject {
        var o = JSONObject()
        if let delay, let ms = OperatorText.milliseconds(delay) { o["delay_ms"] = .number(Double(ms)) }
        if let notBefore { o["not_before"] = .string(notBefore) }
        if let priority { o["priority"] = .number(Double(priority)) }
        if let ttl, let ms = OperatorText.milliseconds(ttl) { o["ttl_ms"] = .number(Double(ms)) }
        if let expiresAt { o["expires_at"] = .string(expiresAt) }
        if let traceparent { o["traceparent"] = .string(traceparent) }
        return o
    }

    func validate() throws {
        for (flag, value) in [("--delay", delay), ("--ttl", ttl)] {
            if let value, OperatorText.milliseconds(value) == nil { throw ValidationError("\(flag) \(value): write a duration such as 500ms, 30s, 5m, 1h or 2d") }
        }
        if case .failure(let e) = ItemOptions.decode(.object(runOptions), at: "") {
            let flags = ["/delay_ms": "--delay", "/not_before": "--not-before", "/priority": "--priority", "/ttl_ms": "--ttl", "/expires_at": "--expires-at", "/traceparent": "--traceparent"]
            throw ValidationError(e.errors.map { "\(flags[$0.path] ?? $0.path): \($0.message)" }.joined(separator: "; "))
        }
    }

    func run() throws {
        var items: [PublishedItem] = []
        var lineOf: [String: Int] = [:]
        var refusedLocally = 0
        var lineNumber = 0
        let options = runOptions
        for source in files.isEmpty ? ["-"] : files {
            guard let handle = source == "-" ? FileHandle.standardInput : FileHandle(forReadingAtPath: source) else {
                throw failure("karez publish", "cannot read \(source); nothing was published", status: 2)
            }
            try JSONLines.forEach(handle) { line in
                lineNumber += 1
                guard line.contains(where: { $0 > 0x20 }) else { return }
                switch ItemLine.parse(line, defaultKind: kind, generatedID: "\(idPrefix)-\(lineNumber)", options: options) {
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
            // Delayed items finish no sooner than their delay: the wait for FIN starts after it.
            let now = UInt64(Date().timeIntervalSince1970 * 1000)
            let latestStart = items.lazy.compactMap { $0.options.start.map { $0.resolved(acceptedAt: now) } }.max() ?? now
            let delayed = Duration.milliseconds(Int64(min(latestStart - min(latestStart, now), ItemOptions.maxMilliseconds)))
            summary = try publisher.publish(items, giveUpAfter: .seconds(max(timeout, 30)) + delayed) { outcome in
                if case .refused(let id, let error) = outcome { report(line: lineOf[id] ?? 0, id: id, error) }
            }
        } catch {
            throw failure("karez publish", error, status: 2)
        }
        let refused = summary.refused + refusedLocally
        let ended = (summary.expired > 0 ? ", expired \(summary.expired)" : "") + (summary.cancelled > 0 ? ", cancelled \(summary.cancelled)" : "")
        let finished = wait ? ", done \(summary.done), dead-lettered \(summary.dead)\(ended), unfinished \(summary.unfinished)" : ""
        print("published \(summary.published), acknowledged \(summary.acknowledged), refused \(refused), "
              + "duplicates \(summary.duplicates), resent \(summary.retried)\(finished), elapsed \(String(format: "%.2f", summary.seconds))s, \(Int(summary.rate)) items/s")
        if summary.unfinished > 0 {
            warn("karez publish: \(summary.unfinished) acknowledged items got no FIN for \(max(timeout, 30)) s although they were sent again (no worker running? a store down?); they are still queued, not lost")
        }
        if refused > 0 || summary.dead > 0 || summary.expired > 0 || summary.cancelled > 0 || summary.unfinished > 0 { throw ExitCode(1) }
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
    /// - Parameter options: the run's options (members of an options frame); a line's `karez`
    ///   member overrides them member by member, and is removed from the body.
    static func parse(_ line: [UInt8], defaultKind: String?, generatedID: String, options: JSONObject = JSONObject()) -> Result<PublishedItem, ErrorPair> {
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
        var merged = options
        let own = object["karez"]
        if let own {
            guard let members = own.objectValue else {
                return .failure(ErrorPair((id, ErrorBody(path: "/karez", code: "type", message: "\"karez\" must be an object of item options (delay_ms, not_before, priority, ttl_ms, expires_at, traceparent)"))))
            }
            // A line's own time replaces the run's of the same pair (delay_ms or not_before, ttl_ms or expires_at).
            for (a, b) in [("delay_ms", "not_before"), ("ttl_ms", "expires_at")] where members[a] != nil || members[b] != nil {
                merged[a] = nil
                merged[b] = nil
            }
            for (key, value) in members.members { merged[key] = value }
            object["karez"] = nil
        }
        let itemOptions: ItemOptions
        switch ItemOptions.decode(.object(merged), at: "/karez") {
        case .success(let o): itemOptions = o
        case .failure(let e): return .failure(ErrorPair((id, e)))
        }
        if id == nil { object["id"] = .string(generatedID) }
        let body = id == nil || own != nil ? JSONWriter.bytes(.object(object)) : line
        return .success(PublishedItem(id: id ?? generatedID, kind: kind, body: body, options: itemOptions))
    }

    /// An id (when known) and why the line cannot be published.
    struct ErrorPair: Error {
        let value: (String?, ErrorBody)
        init(_ value: (String?, ErrorBody)) { self.value = value }
    }
}

