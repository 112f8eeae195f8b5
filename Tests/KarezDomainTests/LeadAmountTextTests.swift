import KarezDomain
import Testing

@Suite("Amount text")
struct LeadAmountTextTests {
    @Test("amounts in yuan", arguments: [
        ("1.5亿元", 150_000_000.0, false), ("3200万元", 32_000_000, false), ("1000多万元", 10_000_000, true),
        ("5,000万元", 50_000_000, false), ("人民币5,000万元", 50_000_000, false), ("约人民币150万元", 1_500_000, true),
        ("近2亿元", 200_000_000, true), ("800000.50元", 800_000.5, false), ("915万元", 9_150_000, false),
        ("1.2亿元", 120_000_000, false), ("0.8亿元", 80_000_000, false), ("100余万元", 1_000_000, true),
        ("1亿多元", 100_000_000, true), ("3千万元", 30_000_000, false), ("12元", 12, false), ("1,234,567元", 1_234_567, false),
        ("逾1亿元", 100_000_000, true), ("超过500万元", 5_000_000, true), ("大约30万元", 300_000, true),
        ("１２００万元", 12_000_000, false), ("５，０００万元", 50_000_000, false), ("２．５亿元", 250_000_000, false),
        (" 3200万元 ", 32_000_000, false), ("0元", 0, false), ("0.07亿元", 7_000_000, false),
    ])
    func amounts(_ text: String, _ value: Double, _ approximate: Bool) throws {
        let parsed = try #require(AmountText.yuan(text))
        #expect(parsed.value == value)
        #expect(parsed.approximate == approximate)
    }

    @Test("texts that are not amounts", arguments: [
        "", "元", "万元", "1.5亿", "3200万", "USD 5 million", "5,00万元", "5,0000万元", "1.元", "约", "1.5亿元整", "一亿元",
        "12345678901234567890元", "3200万美元",
    ])
    func notAmounts(_ text: String) {
        #expect(AmountText.yuan(text) == nil)
    }
}
