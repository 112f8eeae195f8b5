import Foundation
import KarezDomain
import KarezProtocol
import Testing

@Suite("Redaction of bodies kept outside the journal, and ID errors that quote no part of the ID")
struct RedactionTests {
    typealias F = PatientFixtures
    let processor = PatientProcessor()
    let key = try! Pseudonymizer(key: Array("a-test-key-of-16-bytes-or-more".utf8))

    /// The personal data of the outpatient vector, as it appears in its raw body.
    static let name = "阿依古丽·买买提", nationalID = "650402197804160147", phone = "13899501234", birthDate = "1978-04-16"

    func raw(_ kind: String, _ file: String) throws -> [UInt8] {
        Array(try Data(contentsOf: F.protoJSON.appendingPathComponent("examples/\(kind)/valid/\(file)")))
    }

    func validBody() throws -> [UInt8] { try raw("patient", "outpatient-tcm-221-hospital.json") }

    func person(_ body: JSONValue, _ change: (inout JSONObject) -> Void) -> [UInt8] {
        guard case .object(var root) = body, case .object(var p)? = root["patient"] else { return [] }
        change(&p)
        root["patient"] = .object(p)
        return JSONWriter.bytes(.object(root))
    }

    /// Invalid patient bodies that all carry the person's data somewhere in the patient member,
    /// or are not JSON objects at all.
    func invalidBodies() throws -> [(String, [UInt8])] {
        let valid = try validBody()
        let json = try JSONParser.parse(valid)
        let text = String(decoding: valid, as: UTF8.self)
        let person = "\(Self.name) \(Self.nationalID) \(Self.phone) \(Self.birthDate)"
        return [
            ("bad checksum", self.person(json) { $0["national_id"] = "650402197804160148" }),
            ("wrong types", self.person(json) {
                $0["national_id"] = [.string(Self.nationalID)]
                $0["sex"] = 1
                $0["birth_date"] = ["date": .string(Self.birthDate)]
                $0["phone"] = [.string(Self.phone)]
            }),
            ("name as number", self.person(json) { $0["name"] = 12345 }),
            ("name as object", self.person(json) { $0["name"] = ["full": .string(Self.name)] }),
            ("missing patient", JSONWriter.bytes(F.setting(json, ["patient"], nil))),
            ("patient a string", JSONWriter.bytes(F.setting(json, ["patient"], .string(person)))),
            ("patient an array", JSONWriter.bytes(F.setting(json, ["patient"], [json["patient"]!]))),
            ("not JSON", Array("name=\(Self.name);id=\(Self.nationalID);phone=\(Self.phone);born=\(Self.birthDate)".utf8)),
            ("truncated", Array(valid.prefix(upTo: valid.firstIndex(of: UInt8(ascii: "}"))!))),
            ("truncated inside a value", Array(valid.prefix(through: valid.firstIndex(of: UInt8(ascii: "4"))!))),
            ("duplicate patient", Array(text.replacingOccurrences(of: "\"visit\"", with: "\"patient\": {}, \"visit\"").utf8)),
            ("a JSON array", Array("[\(text)]".utf8)),
        ]
    }

    func expectNoPersonalData(_ output: [UInt8], _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let text = String(decoding: output, as: UTF8.self)
        let leaked = [Self.name, Self.nationalID, Self.phone, Self.birthDate, "19780416", "买买提"].filter { text.contains($0) }
        #expect(leaked.isEmpty, "\(label): \(leaked) in \(text)", sourceLocation: sourceLocation)
    }

    @Test func noRedactedBodyCarriesTheRawPersonalData() throws {
        for pseudonymizer in [key, nil] as [Pseudonymizer?] {
            expectNoPersonalData(processor.redacted(try validBody(), pseudonymizer: pseudonymizer), "valid")
            for (label, body) in try invalidBodies() {
                let out = processor.redacted(body, pseudonymizer: pseudonymizer)
                expectNoPersonalData(out, label)
            }
        }
    }

    @Test func theValidBodyGetsTheStoredRecordsPseudonymsAndLosesPhoneSexAndBirthDate() throws {
        let body = try validBody()
        let stored = try processor.process(try JSONParser.parse(body), context: ProcessingContext(today: F.today, pseudonymizer: key)).get()
        let out = try JSONParser.parse(processor.redacted(body, pseudonymizer: key))
        let person = try #require(out["patient"]?.objectValue)
        #expect(person["name"] == stored.body["patient"]?["name"])
        #expect(person["national_id"] == stored.body["patient"]?["national_id"])
        #expect(person["name"] == .string(key.pseudonym(Self.name, domain: "name")))
        #expect(person.keys.sorted() == ["ethnicity", "name", "national_id"])
        let original = try JSONParser.parse(body)
        #expect(out["visit"] == original["visit"])
        #expect(out["id"] == original["id"])
        // Another key gives other pseudonyms.
        let development = try JSONParser.parse(processor.redacted(body, pseudonymizer: .development))
        #expect(development["patient"]?["name"] != person["name"])
    }

    @Test func withoutAPseudonymizerNameAndIDAreRedacted() throws {
        let out = try JSONParser.parse(processor.redacted(try validBody(), pseudonymizer: nil))
        #expect(out["patient"]?["name"] == "[redacted]")
        #expect(out["patient"]?["national_id"] == "[redacted]")
        #expect(out["patient"]?["phone"] == nil)
        #expect(out["patient"]?["ethnicity"] == "维吾尔族")
        // A non-string name is redacted even with a key.
        let numbered = try #require(try invalidBodies().first { $0.0 == "name as object" }?.1)
        #expect(try JSONParser.parse(processor.redacted(numbered, pseudonymizer: key))["patient"]?["name"] == "[redacted]")
        let notObject = try #require(try invalidBodies().first { $0.0 == "patient a string" }?.1)
        #expect(try JSONParser.parse(processor.redacted(notObject, pseudonymizer: key))["patient"] == "[redacted]")
    }

    @Test func bodiesThatAreNotJSONObjectsAreWithheldWhole() throws {
        for (label, body) in try invalidBodies() where ["not JSON", "truncated", "truncated inside a value", "duplicate patient", "a JSON array"].contains(label) {
            let out = try JSONParser.parse(processor.redacted(body, pseudonymizer: key))
            #expect(out.objectValue?.keys == ["withheld"], "\(label)")
        }
    }

    /// News keeps its schema's members; a lead keeps its own but its contact's name and phone
    /// become pseudonyms; a patient record published under another kind keeps none of the
    /// person's data; an unknown kind and a body that is no object are withheld.
    @Test func theRegistryRedactsEveryKindAndWithholdsUnknownKinds() throws {
        for pseudonymizer in [key, nil] as [Pseudonymizer?] {
            let redact = KindRegistry.redactor(pseudonymizer: pseudonymizer)
            let patient = try validBody()
            #expect(redact("patient", patient) == processor.redacted(patient, pseudonymizer: pseudonymizer))
            for file in ["reference-story-yiyang-aid-full.json", "minimal-required-fields-only.json"] {
                let news = try raw("news", file)
                #expect(try JSONParser.parse(redact("news", news)) == JSONParser.parse(news), "\(file)")
            }
            let lead = try JSONParser.parse(raw("lead", "landed-amount-yi-yuan.json"))
            let redactedLead = try JSONParser.parse(redact("lead", JSONWriter.bytes(lead)))
            #expect(redactedLead["company"] == lead["company"] && redactedLead["amount"] == lead["amount"])
            #expect(redactedLead["contact"]?["title"] == lead["contact"]?["title"])
            #expect(redactedLead["contact"]?["name"] != lead["contact"]?["name"] && redactedLead["contact"]?["phone"] != lead["contact"]?["phone"])
            for kind in ["news", "lead"] {
                let shifted = redact(kind, patient)
                expectNoPersonalData(shifted, "a patient body published as \(kind)")
                #expect(try JSONParser.parse(redact(kind, Array("not json".utf8))).objectValue?.keys == ["withheld"])
            }
            let unknown = redact("weather", patient)
            #expect(try JSONParser.parse(unknown).objectValue?.keys == ["withheld"])
            expectNoPersonalData(unknown, "unknown kind")
        }
    }

    /// A producer that puts the person's data under members the schema does not know (an extra
    /// member of `patient`, or the person's members at the top level) gets an invalid body; what
    /// is kept of it must still not carry the data.
    @Test func personalDataUnderUnexpectedMembersIsNotKept() throws {
        let json = try JSONParser.parse(try validBody())
        let extra = person(json) {
            $0["mobile"] = .string(Self.phone)
            $0["id_number"] = .string(Self.nationalID)
            $0["full_name"] = .string(Self.name)
            $0["born"] = .string(Self.birthDate)
        }
        var flat = F.setting(json, ["patient"], nil)
        for member in ["name", "national_id", "phone", "birth_date"] {
            flat = F.setting(flat, [member], json["patient"]?[member])
        }
        for pseudonymizer in [key, nil] as [Pseudonymizer?] {
            expectNoPersonalData(processor.redacted(extra, pseudonymizer: pseudonymizer), "extra members of patient")
            expectNoPersonalData(processor.redacted(JSONWriter.bytes(flat), pseudonymizer: pseudonymizer), "person at the top level")
        }
    }

    /// Digit runs of a message, and letters standing alone (a check character X).
    func tokens(_ message: String) -> [String] {
        message.split(whereSeparator: { !($0.isNumber || $0.isLetter) }).map(String.init)
            + message.split(whereSeparator: { !$0.isNumber }).map(String.init)
    }

    func violations(withID id: String) throws -> [Violation] {
        F.violations(processor.process(F.setting(try F.vector("patient", "outpatient-tcm-221-hospital.json"), ["patient", "national_id"], .string(id)),
                                       context: F.context))
    }

    @Test func idErrorsQuoteNeitherTheCheckCharacterNorTheDivisionCode() throws {
        // Valid IDs of the vectors with a wrong check character: expected "7" and "X".
        for (id, expected) in [("650402197804160148", "7"), ("430903197210050391", "X")] {
            let all = try violations(withID: id)
            let message = try #require(all.first { $0.code == "checksum" }?.message, "\(all)")
            #expect(!tokens(message).contains(expected), "\(message)")
            #expect(!message.contains(String(id.prefix(6))))
            if expected == "X" { #expect(!message.contains("X")) }
            for v in all {
                let long = v.message.split(whereSeparator: { !$0.isNumber }).filter { $0.count >= 5 }
                #expect(long.allSatisfy { !id.contains($0) }, "\(v.code): \(v.message)")
            }
        }
        // An unknown province (990402…, check character 5).
        let id = "990402197804160145"
        let all = try violations(withID: id)
        let message = try #require(all.first { $0.code == "unknown_region" }?.message, "\(all)")
        #expect(!all.contains { $0.code == "checksum" })
        #expect(!message.contains("990402"))
        #expect(!message.contains("99"))
        #expect(!tokens(message).contains("5"))
    }
}
