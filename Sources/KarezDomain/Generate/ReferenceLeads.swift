import KarezProtocol

/// The 17 enterprises of the reference story ("吸引来团对接企业17家，签订合作协议4家，落地项目2个"):
/// 2 landed, 2 with an agreement signed and 13 contacted, in the sectors the story names (光热,
/// 葡萄干加工, 农产品晒场, 文旅 …) and met at the events it names (中国国际投资贸易洽谈会,
/// 兵团厦门招商引资推介会) or on the trips to Guizhou and Shandong. Companies are fictitious; their
/// credit codes are made with right check characters.
enum ReferenceLeads {
    /// Company, division code of registration, sector, amount, stage, event, date.
    typealias Row = (company: String, division: String, sector: String, amount: JSONValue, stage: Lead.Stage, event: String, date: String)

    static let rows: [Row] = [
        ("新疆天沐光热能源有限公司", "650402", "光热发电", "1.5亿元", .landed, "中国国际投资贸易洽谈会", "2023-12-18"),
        ("吐鲁番湘疆文旅发展有限公司", "650402", "文化旅游", "5,000万元", .landed, "兵团厦门招商引资推介会", "2023-11-20"),
        ("益阳丝路果业有限公司", "430903", "葡萄干精深加工", ["value": 3200, "unit": "万元"], .agreementSigned, "兵团厦门招商引资推介会", "2023-10-16"),
        ("吐鲁番市高昌区火洲农产品晾晒专业合作社", "650402", "农产品晒场", "约人民币600万元", .agreementSigned, "中国国际投资贸易洽谈会", "2023-09-26"),
        ("湖南益疆光伏科技有限公司", "430902", "光伏发电", "近2亿元", .contacted, "中国国际投资贸易洽谈会", "2023-09-09"),
        ("新疆昆仑光热储能有限公司", "650100", "光热储能", "3亿元", .contacted, "中国国际投资贸易洽谈会", "2023-09-10"),
        ("益阳资江农业科技有限公司", "430900", "特色农业", ["value": 0.8, "unit": "亿元"], .contacted, "兵团厦门招商引资推介会", "2023-09-11"),
        ("厦门绿洲冷链物流有限公司", "350203", "冷链物流", "6000万元", .contacted, "兵团厦门招商引资推介会", "2023-09-11"),
        ("新疆天山雪域食品有限公司", "650100", "红枣精深加工", "3000万元", .contacted, "中国国际投资贸易洽谈会", "2023-09-09"),
        ("贵州黔疆辣椒食品有限公司", "520102", "辣椒加工", "1000多万元", .contacted, "贵州招商引资活动", "2023-10-24"),
        ("益阳芙蓉中医药康养有限公司", "430902", "中医药康养", "2,500万元", .contacted, "兵团厦门招商引资推介会", "2023-09-10"),
        ("山东鲁疆棉纺织有限公司", "370102", "棉纺织", "1.2亿元", .contacted, "山东招商引资活动", "2023-11-07"),
        ("山东金沙果蔬食品有限公司", "370202", "葡萄干加工", "800万元", .contacted, "山东招商引资活动", "2023-11-08"),
        ("吐鲁番瀚东新材料有限公司", "650402", "新型建材制造", "1.8亿元", .contacted, "中国国际投资贸易洽谈会", "2023-09-08"),
        ("湖南湘吐职业技能培训学校有限公司", "430103", "职业技能培训", "500万元", .contacted, "兵团厦门招商引资推介会", "2023-09-10"),
        ("益阳桃花江跨境电商有限公司", "430981", "跨境电商", "1500万元", .contacted, "中国国际投资贸易洽谈会", "2023-09-09"),
        ("吐鲁番坎儿井文化传媒有限公司", "650402", "文化创意", "300万元", .contacted, "兵团厦门招商引资推介会", "2023-09-11"),
    ]

    /// The 17 lead bodies, ids `lead-ref-01` … `lead-ref-17`, always the same.
    static func items() -> [JSONValue] {
        var r = SplitMix64(seed: ReferenceDataSet.seed &+ 17)
        return rows.enumerated().map { n, row in
            let coop = row.company.hasSuffix("合作社")
            let code = CreditCode.make(authority: "9", type: coop ? "3" : "1", divisionCode: row.division,
                                       organizationBody: SyntheticLeads.organizationBody(&r))
            let name = SyntheticNames.hanName(male: r.chance(0.7), &r)
            let title = coop ? "理事长" : r.pick(SyntheticLeads.titles)
            let phone: String? = r.chance(0.6) ? SyntheticNames.phone(&r) : nil
            return SyntheticLeads.item(SyntheticLeads.Spec(
                id: "lead-ref-" + SyntheticPatients.pad(n + 1, 2), company: row.company, creditCode: code, sector: row.sector,
                amount: row.amount, stage: row.stage, sourceEvent: row.event, contact: (name, title, phone),
                date: CalendarDate.parse(row.date)))
        }
    }
}
