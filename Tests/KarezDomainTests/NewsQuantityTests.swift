import Testing
@testable import KarezDomain

@Suite struct NewsQuantityTests {
    func quantities(_ text: String) -> [NewsQuantity<String>] { newsEnrichment(text).quantities }

    @Test func measureWordsAndApproximations() {
        let q = quantities("现有19名队员,接诊723例,体检700余人次,晒干农产品近10万吨,吸纳40多名青年,刊发100余篇稿件,组织80余批。")
        #expect(q.map(\.text) == ["19名", "723例", "700余人次", "近10万吨", "40多名", "100余篇", "80余批"])
        #expect(q.map(\.value) == [19, 723, 700, 100_000, 40, 100, 80])
        #expect(q.map(\.unit) == ["名", "例", "人次", "吨", "名", "篇", "批"])
        #expect(q.map(\.approximate) == [false, false, true, true, true, true, true])
    }

    @Test func unitsBeforeMagnitudesAndDecimals() {
        // 千克 is a unit, not 千 × 克; 1.5万人次 is 15000 人次.
        let q = quantities("运送3千克药品,服务1.5万人次,下降3个百分点,最近10天,12个村。")
        #expect(q.map(\.text) == ["3千克", "1.5万人次", "3个百分点", "10天", "12个村"])
        #expect(q.map(\.value) == [3, 15_000, 3, 10, 12])
        #expect(q.map(\.unit) == ["千克", "人次", "个百分点", "天", "个村"])
        #expect(q.map(\.approximate) == [false, false, false, false, false])
    }

    @Test func notQuantities() {
        // Money, dates, percentages, bare numbers, Chinese numerals, codes.
        #expect(quantities("资金915万元,2023年5月24日,占80%,提出“1234”工作思路,一名干部,四年级,G20峰会,5G网络。").isEmpty)
    }

    @Test func english() {
        let q = quantities("The hospital saw 723 patients and more than 700 people had checks; 12 million people live there. In 2023 there were 5 cases.")
        #expect(q.map(\.text) == ["723 patients", "more than 700 people", "12 million people", "5 cases"])
        #expect(q.map(\.value) == [723, 700, 12_000_000, 5])
        #expect(q.map(\.unit) == ["patients", "people", "people", "cases"])
        #expect(q.map(\.approximate) == [false, true, false, false])
    }
}
