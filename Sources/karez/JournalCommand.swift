import ArgumentParser
import Foundation
import KarezBroker

/// `karez journal check|repair DATA`: find and salvage damaged journal segments.
struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Check a stopped broker's journal, or salvage a damaged one.",
        discussion: """
            A broker refuses to start on a corrupt journal (damage with intact records after it, or a \
            segment shorter than what was synced and acknowledged) and names the segment and offset. \
            `karez journal check DATA` reports every segment; `karez journal repair DATA` keeps every \
            intact record, moves the damaged bytes to DATA/journal/quarantine/ and lists the ids of \
            items it could not recover. Run them only while the broker is stopped.
            """,
        subcommands: [Check.self, Repair.self])

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Report each segment; exit 1 if the broker would refuse the journal.")
        @Argument(help: "The broker's data folder.") var data = "./karez-data"
        func run() throws { try JournalCommand.report(data: data, repair: false) }
    }

    struct Repair: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Salvage every intact record of damaged segments; list what was lost.")
        @Argument(help: "The broker's data folder.") var data = "./karez-data"
        func run() throws { try JournalCommand.report(data: data, repair: true) }
    }

    static func report(data: String, repair: Bool) throws {
        let findings: [JournalRepair.Finding]
        do { findings = try JournalRepair.run(data: URL(fileURLWithPath: data), repair: repair) } catch {
            throw failure("karez journal", error, status: 2)
        }
        var refused = 0
        for f in findings {
            let state = f.problem.map { "CORRUPT: \($0)" } ?? (f.damagedBytes > 0 ? "torn tail of \(f.damagedBytes) bytes (never acknowledged)" : "ok")
            print("\(f.segment): \(f.intactRecords) intact records, \(state)")
            if let q = f.quarantine { print("  repaired: intact records kept, damaged bytes moved to \(q)") }
            if let r = f.repaired { print("  repaired: \(r)") }
            if !f.lostIDs.isEmpty { print("  not recoverable: \(f.lostIDs.count) item(s): \(f.lostIDs.joined(separator: " "))") }
            if f.missingBytes > 0 {
                print("  missing: the last \(f.missingBytes) synced bytes of the file are gone; the items in them cannot be recovered or named (publish them again)")
            }
            if f.problem != nil && f.quarantine == nil && f.repaired == nil { refused += 1 }
        }
        print("journal: \(findings.count) segments, \(refused) the broker would refuse\(repair ? " after repair" : "")")
        if refused > 0 { throw ExitCode(1) }
    }
}
