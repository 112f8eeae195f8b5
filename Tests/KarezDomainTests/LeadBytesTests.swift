import KarezDomain
import KarezProtocol
import Testing

/// The byte path of leads (decoded straight from bytes, written straight to JSON) must give
/// exactly what the tree path gives, for valid leads and for broken ones.
@Suite("Lead byte path")
struct LeadBytesTests {
    typealias F = PatientFixtures
    let check = BytePathChecks<Lead>(processor: LeadProcessor())

    @Test("generated and proto-json leads take the byte path and give what the tree path gives")
    func validLeadsAgree() throws {
        try check.expectGeneratedAndVectorsAgree("lead", count: 400)
    }

    @Test("invalid proto-json leads are refused with the tree path's errors")
    func invalidVectorsAgree() throws {
        check.expectInvalidRefused(try F.vectors("lead", "invalid"))
    }

    @Test("pretty-printed, reordered, escaped, repeated, broken and truncated leads: same result as the tree path")
    func unusualJSON() throws {
        let base = String(decoding: JSONWriter.bytes(try F.vector("lead", "agreement-amount-object-wanyuan.json")), as: UTF8.self)
        let pretty = try String(contentsOf: F.protoJSON.appendingPathComponent("examples/lead/valid/agreement-amount-object-wanyuan.json"), encoding: .utf8)
        let variants: [(String, String)] = [
            ("pretty-printed", pretty),
            ("stage first", #"{"stage":"landed","id":"lead-1","sector":"光热发电","amount":"1.5亿元","company":{"credit_code":"91430903MA4L2R7N0N","name":"益阳丝路果业有限公司"}}"#),
            ("amount as text", base.replacingOccurrences(of: #"{"value":3200,"unit":"万元"}"#, with: #""3200万元""#)),
            ("amount text that is no amount", base.replacingOccurrences(of: #"{"value":3200,"unit":"万元"}"#, with: #""很多钱""#)),
            ("amount zero", base.replacingOccurrences(of: #""value":3200"#, with: #""value":0"#)),
            ("amount with an exponent", base.replacingOccurrences(of: #""value":3200"#, with: #""value":3.2e3"#)),
            ("amount in another unit", base.replacingOccurrences(of: #""unit":"万元""#, with: #""unit":"美元""#)),
            ("amount with an extra member", base.replacingOccurrences(of: #""unit":"万元""#, with: #""unit":"万元","note":"x""#)),
            ("amount as a number", base.replacingOccurrences(of: #"{"value":3200,"unit":"万元"}"#, with: "3200")),
            ("escaped text", base.replacingOccurrences(of: "董事长", with: #"\u8463\u4e8b\u957f"#)),
            ("repeated member", base.replacingOccurrences(of: #""stage":"agreement_signed""#, with: #""stage":"landed","stage":"agreement_signed""#)),
            ("unknown member", base.replacingOccurrences(of: #""stage":"agreement_signed""#, with: #""stage":"agreement_signed","rating":5"#)),
            ("other stage", base.replacingOccurrences(of: "agreement_signed", with: "rumoured")),
            ("bad credit code", base.replacingOccurrences(of: "91430903MA4L2R7N0N", with: "91430903MA4L2R7N0O")),
            ("wrong check character", base.replacingOccurrences(of: "91430903MA4L2R7N0N", with: "91430903MA4L2R7N0M")),
            ("contact without a name", base.replacingOccurrences(of: #""name":"曹文辉","#, with: "")),
            ("contact phone", base.replacingOccurrences(of: #""title":"董事长""#, with: #""title":"董事长","phone":"13705709553""#)),
            ("bad phone", base.replacingOccurrences(of: #""title":"董事长""#, with: #""title":"董事长","phone":"call me""#)),
            ("future date", base.replacingOccurrences(of: "2023-09-10", with: "2099-09-10")),
            ("no kind", base.replacingOccurrences(of: #""kind":"lead","#, with: "")),
            ("trailing data", base + "}"),
            ("not an object", "\"lead\""),
        ]
        check.expectSameOnVariants(variants, truncating: Array(base.utf8))
        #expect(check.decoded(Array(pretty.utf8)) != nil, "pretty-printed JSON should take the byte path")
    }
}
