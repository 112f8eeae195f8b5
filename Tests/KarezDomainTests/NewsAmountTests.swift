import Testing
@testable import KarezDomain

@Suite struct NewsAmountTests {
    func amounts(_ text: String) -> [NewsAmount<String>] { newsEnrichment(text).amounts }

    @Test func chineseDigitsAndMagnitudes() {
        let a = amounts("总投资1.2亿元,其中915万元用于设备,另有500元。")
        #expect(a.map(\.text) == ["1.2亿元", "915万元", "500元"])
        #expect(a.map(\.valueCNY) == [120_000_000, 9_150_000, 500])
        #expect(a.map(\.approximate) == [false, false, false])
        #expect(a.map(\.offset) == [3, 11, 23])
    }

    @Test func approximateForms() {
        let a = amounts("到位资金1000多万元,工资800多万元,助学资金约12万元,近5亿元,逾3000万元,10余万元,投资10万元左右。")
        #expect(a.map(\.text) == ["1000多万元", "800多万元", "约12万元", "近5亿元", "逾3000万元", "10余万元", "10万元左右"])
        #expect(a.map(\.valueCNY) == [10_000_000, 8_000_000, 120_000, 500_000_000, 30_000_000, 100_000, 100_000])
        #expect(a.map(\.approximate) == [Bool](repeating: true, count: 7))
    }

    @Test func currencyPrefixGroupingAndFullWidthDigits() {
        let a = amounts("签约金额人民币5,000万元,另投入１２３万元,共3,500,000元。")
        #expect(a.map(\.text) == ["人民币5,000万元", "１２３万元", "3,500,000元"])
        #expect(a.map(\.valueCNY) == [50_000_000, 1_230_000, 3_500_000])
    }

    @Test func chineseNumerals() {
        let a = amounts("拨付三千万元,又拨一亿元和两百万元,另有三千多万元,十二万元。")
        #expect(a.map(\.text) == ["三千万元", "一亿元", "两百万元", "三千多万元", "十二万元"])
        #expect(a.map(\.valueCNY) == [30_000_000, 100_000_000, 2_000_000, 30_000_000, 120_000])
        #expect(a.map(\.approximate) == [false, false, false, true, false])
    }

    @Test func rmbWithoutYuanAndVagueNumbers() {
        let a = amounts("签约人民币5000万,另有数十亿元,十几万元,以及人民币3亿")
        #expect(a.map(\.text) == ["人民币5000万", "数十亿元", "十几万元", "人民币3亿"])
        #expect(a.map(\.valueCNY) == [50_000_000, 1_000_000_000, 100_000, 300_000_000])
        #expect(a.map(\.approximate) == [false, true, true, false])
        // Without 人民币 a bare 5000万 is not money.
        #expect(amounts("资金5000万,用于建设").isEmpty)
        // 签约 and 节约 are not "about".
        #expect(amounts("签约800万元,节约50万元,约30万元").map(\.approximate) == [false, false, true])
    }

    @Test func notAmounts() {
        // Foreign currencies, 一元化, money words without a number, a percentage of funds.
        #expect(amounts("融资1000万美元,另有500万欧元和3亿日元。推进一元化管理,资金（万元）,资金80%投入基层。").isEmpty)
        // A foreign amount is not a quantity either.
        #expect(newsEnrichment("融资1000万美元。").quantities.isEmpty)
    }

    @Test func english() {
        let a = amounts("The fund reached CNY 12 million in May, RMB 3.5 billion later, then 12 million yuan, ¥500,000 and about RMB 3 billion. US$5 million is not counted.")
        #expect(a.map(\.text) == ["CNY 12 million", "RMB 3.5 billion", "12 million yuan", "¥500,000", "about RMB 3 billion"])
        #expect(a.map(\.valueCNY) == [12_000_000, 3_500_000_000, 12_000_000, 500_000, 3_000_000_000])
        #expect(a.map(\.approximate) == [false, false, false, false, true])
    }

    @Test func exactDecimalValues() {
        // Decimal arithmetic: no binary rounding error.
        let a = amounts("投资3.3万元和0.07亿元,以及1.234567万元。")
        #expect(a.map(\.valueCNY) == [33_000, 7_000_000, 12_345.67])
    }
}
