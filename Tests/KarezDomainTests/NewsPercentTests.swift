import Testing
@testable import KarezDomain

@Suite struct NewsPercentTests {
    @Test func forms() {
        let p = newsEnrichment("资金80%投入基层,80%用于民生,增长８０％,占百分之八十,达百分之十二点五,覆盖率百分之百,增长12.5%。").percents
        #expect(p.map(\.text) == ["80%", "80%", "８０％", "百分之八十", "百分之十二点五", "百分之百", "12.5%"])
        #expect(p.map(\.value) == [80, 80, 80, 80, 12.5, 100, 12.5])
    }

    @Test func english() {
        let p = newsEnrichment("Output rose 12.5 percent, costs fell 3 per cent and 40% of funds went to villages.").percents
        #expect(p.map(\.text) == ["12.5 percent", "3 per cent", "40%"])
        #expect(p.map(\.value) == [12.5, 3, 40])
    }
}
