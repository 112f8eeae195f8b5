import KarezDomain
import KarezProtocol
import Testing

@Suite("Lead processing")
struct LeadProcessorTests {
    typealias F = PatientFixtures
    let processor = LeadProcessor()

    func base() throws -> JSONValue { try F.vector("lead", "landed-amount-yi-yuan.json") }

    func process(_ body: JSONValue, today: CalendarDate = F.today) -> Result<ProcessedItem, ErrorBody> {
        processor.process(body, context: ProcessingContext(today: today, pseudonymizer: .development))
    }

    /// A credit code of 16 characters plus both right check characters (the 17th recomputed).
    func code(_ first16: String) -> String {
        let body = first16 + String(ReferenceCreditCodeTests.expectedOrganizationCheck(String(first16.dropFirst(8))))
        return body + String(ReferenceCreditCodeTests.expectedCheck(body))
    }

    @Test("every valid proto-json lead vector passes domain processing")
    func validVectors() throws {
        let vectors = try F.vectors("lead")
        #expect(vectors.count >= 8)
        for (name, json) in vectors {
            let result = process(json)
            #expect(F.violations(result).isEmpty, "\(name): \(F.violations(result))")
        }
    }

    @Test("every invalid proto-json lead vector is refused")
    func invalidVectors() throws {
        for (name, json) in try F.vectors("lead", "invalid") {
            #expect(!F.violations(process(json)).isEmpty, "\(name) passed")
        }
    }

    @Test("an amount beyond 10^15 yuan, or beyond a Double, is refused as maximum, never stored as null or infinity")
    func overflowingAmountsAreRefused() throws {
        for value in [1e11, 1e300, 1.7e308] {
            var json = try base()
            guard case .object(var o) = json else { Issue.record("not an object"); return }
            o["amount"] = ["value": .number(value), "unit": "亿元"]
            json = .object(o)
            let v = F.violations(process(json))
            #expect(v.contains { $0.path == "/amount" && $0.code == "maximum" }, "\(value): \(v)")
        }
    }

    @Test("enrichment of the landed 1.5亿元 vector, body stored unchanged")
    func enrichment() throws {
        let body = try base()
        let item = try process(body).get()
        #expect(item.body == body)
        #expect(item.id == "lead-221-2023-0001")
        #expect(item.kind == "lead")
        let e = item.enrichment
        #expect(e["amount_cny"] == 150_000_000)
        #expect(e["amount_approximate"] == false)
        #expect(e["region"] == ["code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"])
        #expect(e["sector_class"] == "energy")
        #expect(e["stage_rank"] == 3)
        let score = try #require(e["score"]?.numberValue)
        #expect(score > 0 && score <= 1)
        #expect(e.objectValue?.keys == ["amount_cny", "amount_approximate", "region", "sector_class", "stage_rank", "score"])
    }

    @Test("amounts of every vector", arguments: [
        ("agreement-amount-object-wanyuan.json", 32_000_000.0, false, "agriculture", 2),
        ("amount-jin-nearly-yi-yuan.json", 200_000_000, true, "energy", 1),
        ("contacted-amount-duo-wanyuan.json", 10_000_000, true, "agriculture", 1),
        ("contacted-amount-plain-yuan-decimal.json", 800_000.5, false, "agriculture", 1),
        ("cooperative-amount-approx-renminbi.json", 1_500_000, true, "agriculture", 2),
        ("landed-amount-thousands-separator.json", 50_000_000, false, "tourism", 3),
        ("minimal-required-fields-only.json", 80_000_000, false, "agriculture", 1),
    ])
    func vectorEnrichment(_ name: String, _ amount: Double, _ approximate: Bool, _ sector: String, _ rank: Int) throws {
        let e = try process(try F.vector("lead", name)).get().enrichment
        #expect(e["amount_cny"] == .number(amount))
        #expect(e["amount_approximate"] == .bool(approximate))
        #expect(e["sector_class"] == .string(sector))
        #expect(e["stage_rank"] == .number(Double(rank)))
    }

    @Test("facts: leads_reached for every stage up to the lead's, amount for its own stage, sector")
    func facts() throws {
        let landed = try process(try base()).get()
        #expect(landed.facts == [
            DomainFact("leads_reached", ["stage": "contacted"], 1), DomainFact("leads_reached", ["stage": "agreement_signed"], 1),
            DomainFact("leads_reached", ["stage": "landed"], 1), DomainFact("lead_amount_cny", ["stage": "landed"], 150_000_000),
            DomainFact("leads", ["sector_class": "energy"], 1),
        ])
        let signed = try process(try F.vector("lead", "agreement-amount-object-wanyuan.json")).get()
        #expect(signed.facts.filter { $0.name == "leads_reached" }.map { $0.labels["stage"] } == ["contacted", "agreement_signed"])
        let contacted = try process(try F.vector("lead", "minimal-required-fields-only.json")).get()
        #expect(contacted.facts.filter { $0.name == "leads_reached" }.map { $0.labels["stage"] } == ["contacted"])
        #expect(contacted.facts.contains(DomainFact("lead_amount_cny", ["stage": "contacted"], 80_000_000)))
    }

    @Test("a wrong check character: checksum naming the expected character")
    func checksum() throws {
        let v = F.violations(process(F.setting(try base(), ["company", "credit_code"], "91650402MA78XK3P58")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/company/credit_code checksum"])
        #expect(v[0].message.contains("\"7\""))
        #expect(v[0].message.contains("18th"))
    }

    @Test("a wrong organisation-code check character: its own checksum violation")
    func organizationChecksum() throws {
        // 17th character 5 -> 6, 18th recomputed: only the inner check fails.
        let first17 = "91650402MA78XK3P6"
        let text = first17 + String(ReferenceCreditCodeTests.expectedCheck(first17))
        let v = F.violations(process(F.setting(try base(), ["company", "credit_code"], .string(text))))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/company/credit_code checksum"])
        #expect(v[0].message.contains("organisation code"))
        #expect(v[0].message.contains("\"5\""))
        // Both wrong: two violations.
        let both = F.violations(process(F.setting(try base(), ["company", "credit_code"], "91650402MA78XK3P6Y")))
        #expect(both.map(\.code) == ["checksum", "checksum"])
    }

    @Test("unknown authority or type: unknown_code; unknown province: unknown_region; national: accepted")
    func authorityAndRegion() throws {
        let b = try base()
        let authority = F.violations(process(F.setting(b, ["company", "credit_code"], .string(code("B1650402MA78XK3P")))))
        #expect(authority.map { "\($0.path) \($0.code)" } == ["/company/credit_code unknown_code"])
        let type = F.violations(process(F.setting(b, ["company", "credit_code"], .string(code("95650402MA78XK3P")))))
        #expect(type.map(\.code) == ["unknown_code"])
        #expect(type[0].message.contains("工商"))
        let region = F.violations(process(F.setting(b, ["company", "credit_code"], .string(code("91990402MA78XK3P")))))
        #expect(region.map { "\($0.path) \($0.code)" } == ["/company/credit_code unknown_region"])
        let national = try process(F.setting(b, ["company", "credit_code"], .string(code("91100000MA78XK3P")))).get()
        #expect(national.enrichment["region"] == nil)
    }

    @Test("an amount of 0 yuan: minimum at /amount")
    func zeroAmount() throws {
        let v = F.violations(process(F.setting(try base(), ["amount"], "0元")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/amount minimum"])
        #expect(F.violations(process(F.setting(try base(), ["amount"], "0.01元"))).isEmpty)
    }

    @Test("a date in the future: date_future at /date")
    func futureDate() throws {
        let v = F.violations(process(F.setting(try base(), ["date"], "2026-11-30")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/date date_future"])
        #expect(F.violations(process(F.setting(try base(), ["date"], "2026-11-29"))).isEmpty)
    }

    @Test("schema failures are reported as they are")
    func schema() throws {
        let v = F.violations(process(F.setting(try base(), ["stage"], "negotiating")))
        #expect(v.map { "\($0.path) \($0.code)" } == ["/stage enum"])
    }

    @Test("score components as documented")
    func score() throws {
        let today = CalendarDate(year: 2023, month: 12, day: 28)
        // Landed, 1.5亿元, contact with title and phone, source event, dated 30 days before.
        let full = try process(try base(), today: today).get()
        #expect(full.enrichment["score"] == 0.938)
        // Contacted, 100万元, nothing optional.
        var bare = F.setting(try F.vector("lead", "minimal-required-fields-only.json"), ["amount"], "100万元")
        #expect(try process(bare, today: today).get().enrichment["score"] == 0.208)
        // Recency: 90 days old counts fully, 730 days not at all, 410 days half.
        bare = F.setting(bare, ["date"], .string(CalendarDate(daysSinceEpoch: today.daysSinceEpoch - 410).description))
        let half = try #require(try process(bare, today: today).get().enrichment["score"]?.numberValue)
        #expect(abs(half - (0.208 + 0.2 / 4 + 0.1 * 0.5)) < 0.0011)
        // Amount: at least 10亿 counts fully, at most 10万 not at all.
        let big = F.setting(try F.vector("lead", "minimal-required-fields-only.json"), ["amount"], "20亿元")
        #expect(try process(big, today: today).get().enrichment["score"] == 0.433)
        let small = F.setting(try F.vector("lead", "minimal-required-fields-only.json"), ["amount"], "5万元")
        #expect(try process(small, today: today).get().enrichment["score"] == 0.133)
    }
}
