import ArgumentParser
import Foundation
import KarezBroker
import KarezProtocol
import KarezWire
import ZeroMQ

/// `karez dlq`: the dead-letter list (items that will not be retried, with their reasons).
struct DLQCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "List, show, requeue or purge dead letters.",
        discussion: """
            Dead letters are items that will not be retried: invalid ones (a worker refused them: schema \
            or domain rules, also kept in the store's rejected list) and ones out of attempts. list and \
            show read DATA/dead-letters.jsonl directly; requeue and purge ask the running broker (its \
            front endpoint), which journals requeued items before removing them from the list.
            """,
        subcommands: [List.self, Show.self, Requeue.self, Purge.self])

    struct DataOption: ParsableArguments {
        @Option(help: "The broker's data folder.")
        var data = "./karez-data"
        var file: URL { URL(fileURLWithPath: data).appendingPathComponent("dead-letters.jsonl") }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per dead letter: id, kind, attempts, first reason.")
        @OptionGroup var options: DataOption

        func run() throws {
            let letters = try DeadLetterFile.read(options.file)
            for l in letters {
                let reason = l["reason"]?["errors"]?.arrayValue?.first
                let why = reason.map { "\($0["path"]?.stringValue ?? ""): \($0["code"]?.stringValue ?? ""): \($0["message"]?.stringValue ?? "")" } ?? ""
                print("\(l["id"]?.stringValue ?? "?")\t\(l["kind"]?.stringValue ?? "?")\tattempts=\(l["attempts"]?.integerValue ?? 0)\t\(why)")
            }
            print("\(letters.count) dead letter\(letters.count == 1 ? "" : "s") in \(options.file.path)")
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The whole dead letter (body and reasons) as JSON.")
        @OptionGroup var options: DataOption
        @Argument(help: "The item id.") var id: String

        func run() throws {
            guard let letter = try DeadLetterFile.read(options.file).last(where: { $0["id"]?.stringValue == id }) else {
                throw failure("karez dlq", "no dead letter with id \(id) in \(options.file.path)")
            }
            print(JSONWriter.string(letter))
        }
    }

    struct Requeue: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Put dead letters back in the queue (the broker must be running).")
        @OptionGroup var front: FrontEndpointOptions
        @OptionGroup(title: "Security (with CURVE: an --operators key)") var security: ClientSecurityOptions
        @Argument(help: "Ids to requeue.") var ids: [String]

        func validate() throws { if ids.isEmpty { throw ValidationError("name at least one id (see karez dlq list)") } }
        func run() throws { print("requeued \(try DLQCommand.ask(front.broker, .requeue(ids), security))") }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete dead letters (the broker must be running).")
        @OptionGroup var front: FrontEndpointOptions
        @OptionGroup(title: "Security (with CURVE: an --operators key)") var security: ClientSecurityOptions
        @Flag(help: "Delete every dead letter.") var all = false
        @Argument(help: "Ids to delete.") var ids: [String] = []

        func validate() throws {
            if ids.isEmpty != all { throw ValidationError("give ids, or --all to delete every dead letter") }
        }
        func run() throws { print("purged \(try DLQCommand.ask(front.broker, .purge(all ? [] : ids), security))") }
    }

    /// Sends a DLQ request to the broker and returns how many letters it handled.
    static func ask(_ endpoint: String, _ request: FrontRequest, _ security: ClientSecurityOptions) throws -> Int {
        guard case .dlqDone(let n) = try OperatorRequest.send(endpoint, request, security, command: "karez dlq") else {
            throw failure("karez dlq", "unexpected answer from the broker")
        }
        return n
    }
}
