import ArgumentParser
import Foundation
import KarezProtocol
import KarezStore

/// `karez query`: read stored (or rejected) items back as JSON lines, or count them.
struct QueryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Print stored items of a kind as JSON lines, one item by id, or a count.",
        discussion: """
            Each line is {"kind","id","attempt","stored_at_ms","body","enrichment"} for stored items, \
            or {"kind","id","attempt","stored_at_ms","body","errors"} with --rejected. A body that is \
            not JSON (an item rejected as not_json) is given as a JSON string of its text. A stored \
            item published with a traceparent has it as "traceparent" after "stored_at_ms".
            """
    )

    @OptionGroup var store: StoreOptions

    @Option(help: "The kind to read (news, patient, lead).")
    var kind: String

    @Option(help: "Only this item.")
    var id: String?

    @Flag(help: "Print only how many items there are.")
    var count = false

    @Flag(help: "Read rejected (invalid) items with their errors instead of stored ones; each also ended as a dead letter (FIN dead).")
    var rejected = false

    @Option(help: "Print at most this many items.")
    var limit = Int.max

    func run() async throws {
        let store = try await self.store.open()
        defer { Task { await store.close() } }
        if count {
            print(try await store.count(kind: kind, rejected: rejected))
            return
        }
        if let id {
            guard let record = try await store.record(kind: kind, id: id, rejected: rejected) else {
                throw failure("karez query", "no \(rejected ? "rejected " : "")\(kind) item with id \(id) in \(store.displayURL)")
            }
            print(RecordFormat.jsonLine(record, rejected: rejected))
            return
        }
        var printed = 0
        try await RecordFormat.forEach(store, kind: kind, rejected: rejected) { record in
            guard printed < limit else { return false }
            print(RecordFormat.jsonLine(record, rejected: rejected))
            printed += 1
            return true
        }
    }
}

/// `karez export`: stream every item of a kind as JSON lines or CSV.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Stream every stored item of a kind as JSON lines or CSV (RFC 4180).")

    enum Format: String, ExpressibleByArgument, CaseIterable { case jsonl, csv }

    @OptionGroup var store: StoreOptions

    @Option(help: "The kind to export.")
    var kind: String

    @Option(help: "jsonl or csv.")
    var format: Format = .jsonl

    @Flag(help: "Export rejected items instead of stored ones.")
    var rejected = false

    func run() async throws {
        let store = try await self.store.open()
        defer { Task { await store.close() } }
        if format == .csv { print("kind,id,attempt,stored_at_ms,body,\(rejected ? "errors" : "enrichment")") }
        try await RecordFormat.forEach(store, kind: kind, rejected: rejected) { record in
            print(format == .csv ? RecordFormat.csvLine(record) : RecordFormat.jsonLine(record, rejected: rejected))
            return true
        }
    }
}

/// How stored records are printed.
enum RecordFormat {
    /// Visits every record of a kind in id order, a page at a time, until `visit` returns false.
    static func forEach(_ store: any Store, kind: String, rejected: Bool, _ visit: (StoredRecord) throws -> Bool) async throws {
        var after: String?
        while true {
            let page = try await store.records(kind: kind, rejected: rejected, after: after, limit: 1000)
            for record in page { guard try visit(record) else { return } }
            guard let last = page.last, page.count == 1000 else { return }
            after = last.id
        }
    }

    /// One JSON line; body and enrichment/errors are embedded as JSON, not strings. A body
    /// that is not JSON at all (a rejected item's, refused as `not_json`) is embedded as a
    /// JSON string of its text, so every line stays valid JSON.
    static func jsonLine(_ r: StoredRecord, rejected: Bool) -> String {
        "{\"kind\":\(quote(r.kind)),\"id\":\(quote(r.id)),\"attempt\":\(r.attempt),\"stored_at_ms\":\(r.storedAtMillis),"
            + (r.traceparent.map { "\"traceparent\":\(quote($0))," } ?? "")
            + "\"body\":\(embedded(r.body)),\"\(rejected ? "errors" : "enrichment")\":\(embedded(r.detail))}"
    }

    /// `json` written compactly (one line) when it is a JSON value, else as a JSON string.
    static func embedded(_ json: String) -> String {
        (try? JSONParser.parse(json)).map { JSONWriter.string($0) } ?? quote(json)
    }

    /// One CSV row with every field quoted.
    static func csvLine(_ r: StoredRecord) -> String {
        [r.kind, r.id, String(r.attempt), String(r.storedAtMillis), r.body, r.detail]
            .map { "\"" + $0.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }.joined(separator: ",")
    }

    static func quote(_ s: String) -> String { JSONWriter.string(.string(s)) }
}
