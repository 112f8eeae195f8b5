import KarezProtocol
import Testing
@testable import KarezDomain

@Suite struct NewsDateTests {
    func dates(_ text: String, published: CalendarDate? = CalendarDate(year: 2024, month: 1, day: 10)) -> [NewsDate<String>] {
        newsEnrichment(text, published: published).dates
    }

    @Test func chineseFullAndPartialDates() {
        let d = dates("2023年5月24日出发,2023年5月抵达,2023年8月中旬调研,2023年底完成,5月份启动,2022年3月初开工。")
        #expect(d.map(\.text) == ["2023年5月24日", "2023年5月", "2023年8月中旬", "2023年底", "5月份", "2022年3月初"])
        #expect(d.map(\.value) == ["2023-05-24", "2023-05", "2023-08", "2023", "2023-05", "2022-03"])
        #expect(d.map(\.precision) == [.day, .month, .partOfMonth, .year, .month, .partOfMonth])
    }

    @Test func monthDayWithoutYearResolvesAgainstPublication() {
        let d = dates("1月4日召开现场会,12月30日举办活动,1月10日发布。")
        #expect(d.map(\.value) == ["2024-01-04", "2023-12-30", "2024-01-10"])
        // 29 February goes back to the last leap year.
        #expect(dates("2月29日", published: CalendarDate(year: 2023, month: 3, day: 1)).map(\.value) == ["2020-02-29"])
    }

    @Test func withoutPublicationTheLatestYearInTheTextIsUsed() {
        let d = dates("2022年3月1日启动,2021年验收。1月4日召开会议。", published: nil)
        #expect(d.map(\.value) == ["2022-03-01", "2021", "2022-01-04"])
        // No year anywhere: the month-day is left out.
        #expect(dates("1月4日召开会议。", published: nil).isEmpty)
    }

    @Test func chineseNumeralDates() {
        let d = dates("二〇二三年五月二十四日,二〇二三年十二月,五月二十日。")
        #expect(d.map(\.value) == ["2023-05-24", "2023-12", "2023-05-20"])
    }

    @Test func notDates() {
        // Durations, counts, invalid days, numerals that only look like months.
        let d = dates("一年来,三年援疆规划,3个月,10年来,一周一学习、一月一交流,2023年2月30日,第13月。")
        #expect(d.isEmpty)
        let q = newsEnrichment("3个月,10年来").quantities
        #expect(q.map(\.text) == ["3个月", "10年"])
    }

    @Test func isoDates() {
        let d = dates("Signed 2023-05-24 and 2023/5/7; not 2023-13-01 or 2020-2023.")
        #expect(d.map(\.value) == ["2023-05-24", "2023-05-07"])
    }

    @Test func englishDates() {
        let d = dates("On May 24, 2023 the team left; on 24 May 2023 it arrived; in May 2023 work began; early August 2023 saw progress; talks in 2023 and on Jan. 4 went well.")
        #expect(d.map(\.text) == ["May 24, 2023", "24 May 2023", "May 2023", "early August 2023", "2023", "Jan. 4"])
        #expect(d.map(\.value) == ["2023-05-24", "2023-05-24", "2023-05", "2023-08", "2023", "2024-01-04"])
        #expect(d.map(\.precision) == [.day, .day, .month, .partOfMonth, .year, .day])
        // "may" as a verb is not a month.
        #expect(dates("Prices may 24 hours later fall.").isEmpty)
    }
}
