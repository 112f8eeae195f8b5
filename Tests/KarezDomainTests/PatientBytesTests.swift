import KarezDomain
import KarezProtocol
import Testing

/// The byte path of patient records (decoded straight from bytes, written straight to JSON)
/// must give exactly what the tree path gives, for valid records and for broken ones.
@Suite("Patient byte path")
struct PatientBytesTests {
    typealias F = PatientFixtures
    let check = BytePathChecks<Patient>(processor: PatientProcessor())

    @Test("generated and proto-json records take the byte path and give what the tree path gives")
    func validRecordsAgree() throws {
        try check.expectGeneratedAndVectorsAgree("patient", count: 400)
    }

    @Test("invalid proto-json records are refused with the tree path's errors")
    func invalidVectorsAgree() throws {
        check.expectInvalidRefused(try F.vectors("patient", "invalid"))
    }

    @Test("pretty-printed, reordered, escaped, repeated, broken and truncated records: same result as the tree path")
    func unusualJSON() throws {
        let base = String(decoding: JSONWriter.bytes(try F.vector("patient", "outpatient-tcm-221-hospital.json")), as: UTF8.self)
        let pretty = try String(contentsOf: F.protoJSON.appendingPathComponent("examples/patient/valid/outpatient-tcm-221-hospital.json"), encoding: .utf8)
        let variants: [(String, String)] = [
            ("pretty-printed", pretty),
            ("visit before patient", #"{"id":"pt-1","visit":{"date":"2023-09-12","facility":"二二一团职工医院","department":"中医科","kind":"outpatient","icd10":["M54.5"]},"patient":{"birth_date":"1978-04-16","sex":"F","national_id":"650402197804160147","name":"阿依古丽"},"kind":"patient"}"#),
            ("escaped text", base.replacingOccurrences(of: "中医科", with: #"\u4e2d\u533b\u79d1"#)),
            ("escaped member name", base.replacingOccurrences(of: #""facility""#, with: #""facilit\u0079""#)),
            ("repeated member", base.replacingOccurrences(of: #""sex":"F""#, with: #""sex":"M","sex":"F""#)),
            ("repeated member, invalid first", base.replacingOccurrences(of: #""sex":"F""#, with: #""sex":7,"sex":"F""#)),
            ("unknown member", base.replacingOccurrences(of: #""sex":"F""#, with: #""sex":"F","blood":"A""#)),
            ("trailing data", base + " x"),
            ("trailing space", base + " \n"),
            ("number as text", base.replacingOccurrences(of: "86.5", with: #""86.5""#)),
            ("exponent", base.replacingOccurrences(of: "86.5", with: "8.65e1")),
            ("negative cost", base.replacingOccurrences(of: "86.5", with: "-1")),
            ("no kind", base.replacingOccurrences(of: #""kind":"patient","#, with: "")),
            ("other kind", base.replacingOccurrences(of: #""kind":"patient""#, with: #""kind":"lead""#)),
            ("lower-case x", base.replacingOccurrences(of: "650402197804160147", with: "65040219780416014x")),
            ("15-digit ID", base.replacingOccurrences(of: "650402197804160147", with: "650402780416014")),
            ("bad date", base.replacingOccurrences(of: "2023-09-12", with: "2023-02-30")),
            ("future date", base.replacingOccurrences(of: "2023-09-12", with: "2099-01-01")),
            ("bad code", base.replacingOccurrences(of: "M54.5", with: "m54.5")),
            ("21 codes", base.replacingOccurrences(of: #"["M54.5"]"#, with: "[" + Array(repeating: #""M54.5""#, count: 21).joined(separator: ",") + "]")),
            ("20 codes", base.replacingOccurrences(of: #"["M54.5"]"#, with: "[" + Array(repeating: #""M54.5""#, count: 20).joined(separator: ",") + "]")),
            ("empty codes", base.replacingOccurrences(of: #"["M54.5"]"#, with: "[]")),
            ("codes, trailing comma", base.replacingOccurrences(of: #"["M54.5"]"#, with: #"["M54.5",]"#)),
            ("empty name", base.replacingOccurrences(of: "阿依古丽·买买提", with: "")),
            ("101-character name", base.replacingOccurrences(of: "阿依古丽·买买提", with: String(repeating: "阿", count: 101))),
            ("100-character name", base.replacingOccurrences(of: "阿依古丽·买买提", with: String(repeating: "阿", count: 100))),
            ("notes", base.replacingOccurrences(of: #"},"visit""#, with: #"},"notes":"复诊","visit""#)),
            ("empty notes", String(base.dropLast()) + #","notes":""}"#),
            ("not an object", "[1,2]"),
            ("empty", ""),
        ]
        check.expectSameOnVariants(variants, truncating: JSONWriter.bytes(try F.vector("patient", "surgery-turpan-peoples-hospital.json")))
        #expect(check.decoded(Array(pretty.utf8)) != nil, "pretty-printed JSON should take the byte path")
    }
}
