import Testing
@testable import KarezDomain

@Suite struct NewsEntityTests {
    @Test func placesLongestMatchFirstWrittenName() {
        let p = newsEnrichment("湖南益阳援建吐鲁番市高昌区,益阳市再次派队;北京、内蒙古也有项目。").places
        #expect(p.map(\.name) == ["湖南", "益阳", "吐鲁番市", "高昌区", "北京", "内蒙古"])
        #expect(p.map(\.province) == ["湖南省", "湖南省", "新疆维吾尔自治区", "新疆维吾尔自治区", "北京市", "内蒙古自治区"])
    }

    @Test func placesSkipCommonWordsAndOverlaps() {
        // 大庆 "celebration", 长治 in 长治久安 and 日照 "sunshine" match only as 大庆市 …; 浙江西部 is not 江西.
        let p = newsEnrichment("举国大庆,长治久安,日照充足,浙江西部,大庆市油田。").places
        #expect(p.map(\.name) == ["浙江", "大庆市"])
    }

    @Test func organizations() {
        let o = newsEnrichment("促成二二一团学校与梓山湖学校、龙洲小学等结对。他到吐鲁番市人民医院和高昌区人民医院,又到北京大学。进驻新疆生产建设兵团十二师二二一团,第十四师也来了。一团和气,以人民为中心。").organizations
        #expect(o == ["二二一团学校", "二二一团", "梓山湖学校", "龙洲小学", "吐鲁番市人民医院", "高昌区人民医院", "北京大学", "新疆生产建设兵团", "十二师",
                      "第十四师"])
    }

    @Test func organizationsNeedAnAnchorOrAnEnumeration() {
        // Generic: 学校, 受援医院, 援疆工作队; a company without place in running text.
        let o = newsEnrichment("参与学校管理,提升受援医院能力,援疆工作队到了,他加入华为技术有限公司。").organizations
        #expect(o.isEmpty)
    }

    @Test func peopleAfterTitles() {
        let p = newsEnrichment("市委书记陈竞先后到场,指挥长陈章杰等领导,副院长欧阳华表示,书记强调指出,高级工程师谭志荣柔性援疆。").people
        #expect(p.map(\.name) == ["陈竞", "陈章杰", "欧阳华"])
        #expect(p.map(\.title) == ["市委书记", "指挥长", "副院长"])
    }

    @Test func topicsNeedTwoHits() {
        let e = newsEnrichment("医院组织医生义诊。学校开学。")
        #expect(e.topics == [.health])
        let english = newsEnrichment("The hospital hired doctors; a new school opened.", language: .en)
        #expect(english.topics == [.health])
    }

    @Test func keywords() {
        let e = newsEnrichment("援疆工作队开展援疆项目。援疆工作队推进援疆项目。援疆工作队完成援疆项目,二二一团受益,二二一团感谢。")
        // 援疆工作队 is longer than four: its pieces (援疆工作, 疆工作队, 工作队) are fragments, always
        // beside the same ideograph; 项目 is mostly inside 援疆项目.
        #expect(Array(e.keywords.prefix(3)) == ["援疆", "援疆项目", "二二一团"])
        #expect(!e.keywords.contains("项目") && !e.keywords.contains("工作队"))
        // Numbers and their units are not words: no 余名 from 60余名 and 440余名.
        let counted = newsEnrichment("吸纳60余名团场职工和440余名周边群众,团场职工增收。")
        #expect(!counted.keywords.contains("余名"))
        #expect(counted.keywords.first == "团场职工")
        let english = newsEnrichment("Grape farmers in Turpan dry grapes. Grape prices rose and farmers were glad.", language: .en)
        #expect(Array(english.keywords.prefix(2)) == ["farmers", "grape"])
        #expect(!english.keywords.contains("and"))
    }

    @Test func summary() {
        #expect(newsEnrichment("  第一句话。第二句话。").summary == "第一句话。")
        #expect(newsEnrichment("标题行\n正文第一句。").summary == "标题行")
        #expect(newsEnrichment("Dr. Smith visited Turpan on May 24. He stayed.", language: .en).summary == "Dr. Smith visited Turpan on May 24.")
        let long = String(repeating: "长", count: 300) + "。"
        let summary = newsEnrichment(long).summary
        #expect(summary.unicodeScalars.count == 200)
        #expect(summary.hasSuffix("…"))
    }

    @Test func languageDetection() {
        #expect(newsEnrichment("益阳援疆工作队在 Turpan 开展工作。", language: nil).language == .zh)
        #expect(newsEnrichment("The Yiyang aid team (益阳援疆工作队) works in Turpan.", language: nil).language == .en)
        #expect(newsEnrichment("The team works in Turpan.", language: .zh).language == .zh)  // given wins
    }

    @Test func englishStoryGetsNoChineseEntities() {
        let e = newsEnrichment("Yiyang sent 19 doctors to Turpan on May 24, 2023, with CNY 12 million in aid; 80% went to villages.", language: .en)
        #expect(e.amounts.map(\.valueCNY) == [12_000_000])
        #expect(e.dates.map(\.value) == ["2023-05-24"])
        #expect(e.quantities.map(\.text) == ["19 doctors"])
        #expect(e.percents.map(\.value) == [80])
        #expect(e.places.isEmpty && e.organizations.isEmpty && e.people.isEmpty)
        #expect(e.summary.hasPrefix("Yiyang sent 19 doctors"))
        #expect(e.chars == 99)
    }
}
