import Foundation
import KarezTestSupport
import Testing

/// Damage done to a stopped broker's last journal segment.
private enum Damage: String, CaseIterable, Sendable {
    /// The file cut in half.
    case cutInHalf
    /// One byte flipped at 10% of the file.
    case flippedByte

    func apply(to segment: String) throws {
        var bytes = try #require(FileManager.default.contents(atPath: segment))
        switch self {
        case .cutInHalf: bytes = bytes.prefix(bytes.count / 2)
        case .flippedByte: bytes[bytes.count / 10] ^= 0x5A
        }
        try bytes.write(to: URL(fileURLWithPath: segment))
    }
}

@Suite("A damaged journal over real processes: refused with a clear error, repaired, intact items delivered")
struct JournalFaultTests {
    @Test(arguments: Damage.allCases)
    fileprivate func aDamagedLastSegmentIsRefusedThenRepaired(_ damage: Damage) async throws {
        let count = 3_000
        let dir = ScratchFolder.make("journal-\(damage.rawValue)")
        let data = dir.appendingPathComponent("broker").path
        let (fport, bport) = (freePort(), freePort())
        let front = "tcp://127.0.0.1:\(fport)", back = "tcp://127.0.0.1:\(bport)"
        let brokerArguments = ["broker", "--front", front, "--back", back, "--data", data, "--collector", "none"]
        let items = dir.appendingPathComponent("items.jsonl")
        #expect(try await karez(["gen", "--kind", "news", "--count", String(count), "--seed", "3", "--output", items.path]).0 == 0)
        // Acknowledged, then the broker stops cleanly with nothing delivered.
        var broker = try Child(brokerArguments)
        _ = try await broker.waitFor("karez broker: front")
        let (ps, pout) = try await karez(["publish", "--broker", front, items.path])
        #expect(ps == 0 && pout.contains("acknowledged \(count)"), "\(pout)")
        #expect(try await broker.terminate() == 0)
        let journal = URL(fileURLWithPath: data).appendingPathComponent("journal")
        let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: journal.path).filter { $0.hasPrefix("seg-") }.sorted().last)
        try damage.apply(to: journal.appendingPathComponent(segment).path)

        // Refused, with one error naming the segment, and the journal left as it was.
        let before = FileManager.default.contents(atPath: journal.appendingPathComponent(segment).path)
        broker = try Child(brokerArguments)
        let status = try await broker.finish(timeout: .seconds(60))
        #expect(status != 0, "the broker started on a damaged journal:\n\(broker.text)")
        #expect(broker.text.contains(segment) && broker.text.contains("karez journal repair"), "\(broker.text)")
        #expect(FileManager.default.contents(atPath: journal.appendingPathComponent(segment).path) == before, "recovery changed the damaged segment")
        #expect(try await karez(["journal", "check", data]).0 == 1)

        // Repaired: every intact item is delivered; the lost ones are named.
        let (rs, report) = try await karez(["journal", "repair", data])
        #expect(rs == 0, "\(report)")
        // Nothing was delivered before the damage, so each intact record is one intact item.
        let (_, check) = try await karez(["journal", "check", data])
        let intact = check.split(separator: "\n").compactMap { line -> Int? in
            guard line.contains("intact records"), let r = line.range(of: ": ") else { return nil }
            return Int(line[r.upperBound...].split(separator: " ").first ?? "")
        }.reduce(0, +)
        broker = try Child(brokerArguments)
        _ = try await broker.waitFor("karez broker: front")
        let store = "sqlite:\(dir.path)/karez.sqlite"
        let worker = try Child(["worker", "--broker", back, "--store", store, "--collector", "none"])
        let lostNamed = report.split(separator: "\n").first { $0.contains("not recoverable") }
            .flatMap { Int($0.split(separator: ":")[1].split(separator: " ")[0]) } ?? 0
        var stored = 0
        _ = try await eventually(timeout: .seconds(120), every: .milliseconds(300)) {
            stored = try await storedCount(store, "news")
            return stored >= intact
        }
        #expect(stored == intact, "\(check)\nbroker:\n\(broker.text)\nworker:\n\(worker.text)")
        switch damage {
        case .flippedByte: #expect(stored == count - 1, "one flipped byte should cost one item: stored \(stored)")
        case .cutInHalf: #expect(stored >= count / 2 - 2 && stored < count, "stored \(stored)")
        }
        print("journal \(damage.rawValue): refused; repaired; \(stored) of \(count) delivered; \(lostNamed) named as not recoverable")
        _ = try await worker.terminate()
        _ = try await broker.terminate()
    }
}
