import ArgumentParser
import Foundation
import KarezProtocol

/// `karez ctl`: operator control of a running broker: limits, pause, cancel, status.
struct CtlCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Limit, pause, resume or cancel work of a kind on a running broker, or show its queues.",
        discussion: """
            Sent to the broker's front endpoint (KZ1 CTL, PROTOCOL.md 3.7); with CURVE only --operators \
            keys may. Limits and pauses hold for every worker together (the broker enforces them at \
            dispatch) and are kept in DATA/control.json, so they survive restarts. With several \
            brokers (a partitioned set), run the command against each.
            """,
        subcommands: [Limit.self, Pause.self, Resume.self, Cancel.self, Status.self])

    struct Target: ParsableArguments {
        @Option(help: "The broker's front endpoint.")
        var broker = "tcp://127.0.0.1:7700"
        @OptionGroup(title: "Security (with CURVE: an --operators key)") var security: ClientSecurityOptions

        func ask(_ request: ControlRequest) throws -> JSONValue {
            guard case .controlDone(let answer) = try OperatorRequest.send(broker, .control(request), security, command: "karez ctl") else {
                throw failure("karez ctl", "unexpected answer from the broker (one older than KZ1 CTL answers ERR unknown_command)")
            }
            return answer
        }
    }

    struct Limit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Limit a kind's jobs in flight (across all workers) and deliveries per second; 0 lifts a limit.")
        @OptionGroup var target: Target
        @Option(help: "The kind.") var kind: String
        @Option(help: "Most jobs of the kind out with workers at once; 0: no limit.") var concurrency: Int?
        @Option(help: ArgumentHelp("Most deliveries per second, e.g. 200/s, 30/m; 0: no limit.", valueName: "rate")) var rate: String?

        func validate() throws {
            if concurrency == nil && rate == nil { throw ValidationError("give --concurrency, --rate or both (0 lifts a limit)") }
            if let concurrency, concurrency < 0 { throw ValidationError("--concurrency must be 0 or more") }
            if let rate, OperatorText.perSecond(rate) == nil { throw ValidationError("--rate \(rate): write it as 200/s, 30/m, 5/h or a number per second") }
        }

        func run() throws {
            print(Status.line(try target.ask(.limit(kind: kind, concurrency: concurrency, rate: rate.flatMap(OperatorText.perSecond)))))
        }
    }

    struct Pause: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop handing out jobs of a kind (items wait; jobs in flight finish).")
        @OptionGroup var target: Target
        @Option(help: "The kind.") var kind: String
        func run() throws { print(Status.line(try target.ask(.pause(kind: kind)))) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Hand out jobs of a paused kind again.")
        @OptionGroup var target: Target
        @Option(help: "The kind.") var kind: String
        func run() throws { print(Status.line(try target.ask(.resume(kind: kind)))) }
    }

    struct Cancel: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel items by id: queued ones are never delivered, in-flight ones are cancelled at their worker; each ends cancelled.",
            discussion: "Exit status 1 when some id was not cancelled (already finished, or not known to this broker).")
        @OptionGroup var target: Target
        @Option(help: "The kind of the items.") var kind: String
        @Option(name: .customLong("id"), parsing: .upToNextOption, help: "Ids to cancel (at most 1000).") var ids: [String] = []

        func validate() throws {
            if ids.isEmpty { throw ValidationError("name at least one --id") }
            if ids.count > ControlRequest.maxIDs { throw ValidationError("at most \(ControlRequest.maxIDs) ids per command") }
        }

        func run() throws {
            let answer = try target.ask(.cancel(kind: kind, ids: ids))
            let cancelled = answer["cancelled"]?.arrayValue ?? [], finished = answer["finished"]?.arrayValue ?? []
            let unknown = answer["unknown"]?.arrayValue ?? []
            for f in finished { print("\(f["id"]?.stringValue ?? "?")\tnot cancelled: already \(f["state"]?.stringValue ?? "finished")") }
            for u in unknown { print("\(u.stringValue ?? "?")\tnot cancelled: not known to this broker (another broker's, or finished and out of its dedup window)") }
            print("cancelled \(cancelled.count) of \(ids.count)")
            if cancelled.count < Set(ids).count { throw ExitCode(1) }
        }
    }

    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Queues per kind: ready, scheduled, in flight, oldest age, pause and limits; long jobs' progress.")
        @OptionGroup var target: Target
        @Flag(help: "Print the broker's answer as JSON.") var json = false

        func run() throws {
            let answer = try target.ask(.status)
            if json { return print(JSONWriter.string(answer)) }
            func n(_ v: JSONValue?) -> String { v?.numberValue.map { $0.rounded() == $0 ? String(Int($0)) : String(format: "%.1f", $0) } ?? "-" }
            print("queued \(n(answer["queued"])), ready \(n(answer["ready"])), scheduled \(n(answer["scheduled"])), retrying \(n(answer["retrying"])), in flight \(n(answer["in_flight"])), workers \(n(answer["workers"]))")
            for k in answer["kinds"]?.arrayValue ?? [] {
                print(Self.line(k))
                for p in k["progress"]?.arrayValue ?? [] {
                    print("    \(p["id"]?.stringValue ?? "?") at \(n(p["percent"]))% on \(p["worker"]?.stringValue ?? "?"), running \(n(p["running_s"])) s")
                }
            }
        }

        /// One kind's line: its queue and what the operator set.
        static func line(_ k: JSONValue) -> String {
            func n(_ v: JSONValue?) -> String { v?.numberValue.map { $0.rounded() == $0 ? String(Int($0)) : String(format: "%.2f", $0) } ?? "-" }
            let concurrency = k["concurrency"]?.numberValue ?? 0, rate = k["rate"]?.numberValue ?? 0
            let limits = [concurrency > 0 ? "concurrency \(n(k["concurrency"]))" : nil, rate > 0 ? "rate \(n(k["rate"]))/s" : nil].compactMap { $0 }
            return "\(k["kind"]?.stringValue ?? "?"): \(k["paused"]?.boolValue == true ? "PAUSED" : "running"), ready \(n(k["ready"])), scheduled \(n(k["scheduled"])), "
                + "in flight \(n(k["in_flight"])), oldest ready \(n(k["oldest_ready_age_s"])) s, limits: \(limits.isEmpty ? "none" : limits.joined(separator: ", "))"
        }
    }
}
