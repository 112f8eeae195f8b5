import Foundation
import Testing
import KarezStore

@Suite("Store password files: the password never on a command line")
struct StorePasswordFileTests {
    private func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("karez-pw-\(UUID().uuidString)")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func theFirstLineIsThePasswordAndItStaysHidden() throws {
        var url = try StoreURL("postgres://karez@db.example:5432/karez")
        try url.readPassword(from: try file("s3cret pass\nignored\n"))
        guard case .postgres(let location) = url else { Issue.record("not postgres"); return }
        #expect(location.password == "s3cret pass")
        #expect(url.description == "postgres://karez:***@db.example:5432/karez")
        var crlf = try StoreURL("postgres://karez@db/karez")
        try crlf.readPassword(from: try file("abc\r\n"))
        if case .postgres(let l) = crlf { #expect(l.password == "abc") }
    }

    @Test func mistakesAreRefusedWithWhatToDo() throws {
        var withPassword = try StoreURL("postgres://karez:inline@db/karez")
        let error1 = #expect(throws: StoreError.self) { try withPassword.readPassword(from: try file("x\n")) }
        #expect(error1?.description.contains("keep it in the file only") == true)
        #expect(error1?.description.contains("inline") == false, "the password itself is never in a message")
        var sqlite = try StoreURL("sqlite:/tmp/x.sqlite")
        #expect(throws: StoreError.self) { try sqlite.readPassword(from: try file("x\n")) }
        var empty = try StoreURL("postgres://karez@db/karez")
        let error2 = #expect(throws: StoreError.self) { try empty.readPassword(from: try file("\n")) }
        #expect(error2?.description.contains("empty") == true)
        var missing = try StoreURL("postgres://karez@db/karez")
        let error3 = #expect(throws: StoreError.self) { try missing.readPassword(from: "/nonexistent/karez-pw") }
        #expect(error3?.description.contains("/nonexistent/karez-pw") == true)
    }
}
