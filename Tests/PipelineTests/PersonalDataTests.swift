import Foundation
import KarezTestSupport
import Testing

@Suite("Personal data stays out of everything but the journal", .serialized)
struct PersonalDataTests {
    /// Patients are published through `karez up`, valid and invalid (a wrong check character,
    /// a wrong type, a body that is not JSON); afterwards no file of the data folder except the
    /// journal's segments, and no line of the output, holds a name, national ID, phone or birth
    /// date in clear, and every file and folder Karez made there is private.
    @Test func noPersonalValueLandsOutsideTheJournal() async throws {
        let dir = ScratchFolder.make("pii")
        let data = dir.appendingPathComponent("data")
        let up = try Child(["up", "--data", data.path, "--front", "tcp://127.0.0.1:*", "--back", "tcp://127.0.0.1:*",
                            "--intake", "tcp://127.0.0.1:*", "--http-port", "0"])
        let front = try #require(endpoint(after: "publish to ", in: try await up.waitFor("Ctrl-C to stop")))
        let secrets = ["王秀英", "430921196207280088", "13899507777", "1962-07-28", "买买提·测试", "650402197804160148", "13700001111", "1978-04-16"]
        let valid = #"{"id":"pii-ok","patient":{"name":"王秀英","national_id":"430921196207280088","sex":"F","birth_date":"1962-07-28","ethnicity":"汉族","phone":"13899507777"},"visit":{"date":"2023-11-08","facility":"二二一团职工医院","department":"体检中心","kind":"checkup","icd10":[],"cost_cny":0}}"#
        let badCheck = #"{"id":"pii-check","patient":{"name":"买买提·测试","national_id":"650402197804160148","sex":"F","birth_date":"1978-04-16","phone":"13700001111"},"visit":{"date":"2023-11-08","facility":"二二一团职工医院","department":"体检中心","kind":"checkup","icd10":[]}}"#
        let badType = #"{"id":"pii-type","patient":{"name":"买买提·测试","national_id":"650402197804160148","sex":"X","birth_date":"1978-04-16","phone":13700001111},"visit":{"date":"tomorrow"}}"#
        let notJSON = #"{"id":"pii-broken","patient":{"name":"买买提·测试","national_id":"650402197804160148","phone":"13700001111","birth_date":"1978-04-16""#
        let file = dir.appendingPathComponent("patients.jsonl")
        try [valid, badCheck, badType, notJSON].joined(separator: "\n").appending("\n").write(to: file, atomically: true, encoding: .utf8)
        let (status, out) = try await karez(["publish", "--broker", front, "--kind", "patient", "--wait", file.path])
        // The broken line is refused by publish itself (it is not JSON); the others are accepted.
        #expect(status == 1 && out.contains("dead"), "\(out)")
        // A body the broker accepts although it is not JSON: sent raw over the wire.
        let (rawStatus, rawOut) = try await runToEnd("/usr/bin/env", ["python3", "-c", """
            import sys, zmq
            s = zmq.Context().socket(zmq.DEALER); s.connect(sys.argv[1])
            s.send_multipart([b"KZ1", b"PUBW", b"pii-broken", b"patient", sys.argv[2].encode()])
            replies = []
            while len(replies) < 2 and s.poll(30000):
                replies.append(s.recv_multipart()[1].decode())
            print(" ".join(replies))
            """, front, notJSON])
        #expect(rawStatus == 0 && rawOut.contains("ACK") && rawOut.contains("FIN"), "\(rawOut)")
        #expect(try await up.terminate() == 0)

        var checked = 0
        let walker = FileManager.default.enumerator(at: data, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = walker?.nextObject() as? URL {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            let mode = (attributes[.posixPermissions] as? Int ?? 0) & 0o777
            let isFolder = attributes[.type] as? FileAttributeType == .typeDirectory
            #expect(mode & 0o077 == 0, "\(url.path) has mode \(String(mode, radix: 8))")
            guard !isFolder else { continue }
            if url.deletingLastPathComponent().lastPathComponent == "journal", url.lastPathComponent.hasPrefix("seg-") { continue }
            let bytes = try Data(contentsOf: url)
            for secret in secrets where bytes.range(of: Data(secret.utf8)) != nil {
                Issue.record("\(url.path) holds \(secret) in clear")
            }
            checked += 1
        }
        #expect(checked >= 4, "the store, dead letters, collector state and broker metrics were checked")
        for secret in secrets { #expect(!up.text.contains(secret) && !out.contains(secret), "the output shows \(secret)") }
        // The rejected list still says what was wrong, and the dead letters can be requeued.
        let (qs, rejected) = try await karez(["query", "--store", "sqlite:\(data.path)/karez.sqlite", "--kind", "patient", "--rejected"])
        #expect(qs == 0 && rejected.contains("checksum") && rejected.contains("pii-type"), "\(rejected)")
    }
}
