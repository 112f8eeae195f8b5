import KarezProtocol

/// Synthetic investment leads: companies from Xinjiang, Hunan and the provinces the work team
/// canvassed, with valid credit codes, sectors of the regiment's economy and amounts written in
/// every form the schema allows.
enum SyntheticLeads {
    /// One lead's content; ``item`` turns it into a body.
    struct Spec {
        var id: String
        var company: String
        var creditCode: String
        var sector: String
        var amount: JSONValue
        var stage: Lead.Stage
        var sourceEvent: String?
        var contact: (name: String, title: String?, phone: String?)?
        var date: CalendarDate?
    }

    /// A lead body.
    static func item(_ s: Spec) -> JSONValue {
        var members: [(String, JSONValue)] = [
            ("id", .string(s.id)), ("kind", "lead"),
            ("company", .object(JSONObject([("name", .string(s.company)), ("credit_code", .string(s.creditCode))]))),
            ("sector", .string(s.sector)), ("amount", s.amount), ("stage", .string(s.stage.rawValue)),
        ]
        if let event = s.sourceEvent { members.append(("source_event", .string(event))) }
        if let c = s.contact {
            var contact: [(String, JSONValue)] = [("name", .string(c.name))]
            if let title = c.title { contact.append(("title", .string(title))) }
            if let phone = c.phone { contact.append(("phone", .string(phone))) }
            members.append(("contact", .object(JSONObject(contact))))
        }
        if let date = s.date { members.append(("date", .string(date.description))) }
        return .object(JSONObject(members))
    }

    /// Where companies come from: a name prefix and the division codes of their registration.
    static let origins: [((prefix: String, divisions: [String]), Int)] = [
        (("新疆", ["650100", "650402", "650421"]), 20), (("吐鲁番", ["650402", "650421", "650422"]), 25),
        (("益阳", ["430900", "430902", "430903", "430981"]), 25), (("湖南", ["430100", "430103", "430104"]), 10),
        (("贵州", ["520102", "520103"]), 7), (("山东", ["370102", "370202"]), 7), (("厦门", ["350203", "350206"]), 6),
    ]
    /// Sectors: as written, the business word of a company name, amount range in 万元, cooperative.
    static let sectors: [(sector: String, business: String, low: Int, high: Int, coop: Bool)] = [
        ("光热发电", "光热能源", 10_000, 50_000, false), ("光伏发电", "光伏科技", 5_000, 30_000, false),
        ("光热储能", "光热储能", 10_000, 30_000, false), ("葡萄干精深加工", "果业", 1_000, 5_000, false),
        ("葡萄种植", "葡萄种植", 100, 800, true), ("农产品晒场", "农产品晾晒", 100, 800, true),
        ("文化旅游", "文旅发展", 2_000, 20_000, false), ("辣椒加工", "辣椒食品", 500, 3_000, false),
        ("特色农业", "农业科技", 300, 2_000, false), ("冷链物流", "冷链物流", 1_000, 8_000, false),
        ("棉纺织", "棉纺织", 5_000, 30_000, false), ("红枣精深加工", "食品", 500, 3_000, false),
        ("中医药康养", "中医药康养", 1_000, 5_000, false), ("职业技能培训", "职业技能培训", 200, 1_000, false),
        ("跨境电商", "电子商务", 500, 3_000, false), ("新型建材制造", "新材料", 3_000, 18_000, false),
        ("文化创意", "文化传媒", 100, 600, false),
    ]
    static let brands = ["天沐", "丝路", "湘疆", "益疆", "天山", "雪域", "红柳", "火洲", "葡乡", "金沙", "瀚东", "昆仑", "绿洲", "沙棘",
                         "坎儿井", "湘吐", "芙蓉", "资江", "洞庭", "桃花江", "交河", "艾丁湖"]
    static let events = ["中国国际投资贸易洽谈会", "兵团厦门招商引资推介会", "贵州招商引资活动", "山东招商引资活动", "二二一团招商推介会",
                         "湘疆经贸合作洽谈会"]
    static let titles = ["董事长", "总经理", "副总经理", "投资发展部经理", "项目经理"]
    static let stages: [(Lead.Stage, Int)] = [(.contacted, 70), (.agreementSigned, 20), (.landed, 10)]

    /// 8 organisation-code characters as newer codes have them: `MA` and six of the alphabet.
    static func organizationBody(_ r: inout SplitMix64) -> String {
        var s = "MA"
        for _ in 0..<6 { s.append(Character(Unicode.Scalar(CreditCode.alphabet[r.below(CreditCode.alphabet.count)]))) }
        return s
    }

    /// An amount of `wan` 万元 written in one of the forms leads use.
    static func amount(wan: Int, _ r: inout SplitMix64) -> JSONValue {
        switch r.below(8) {
        case 0: return .object(JSONObject([("value", .number(Double(wan))), ("unit", "万元")]))
        case 1 where wan >= 1_000 && wan < 10_000: return .string(String(wan / 100 * 100) + "多万元")
        case 2: return .string("约" + String(wan) + "万元")
        case 3 where wan >= 1_000: return .string(String(wan / 1_000) + "," + SyntheticPatients.pad(wan % 1_000, 3) + "万元")
        case 4: return .string("约人民币" + String(wan) + "万元")
        case 5 where wan >= 10_000:
            let tenths = wan / 1_000
            return .string(String(tenths / 10) + (tenths % 10 == 0 ? "" : "." + String(tenths % 10)) + "亿元")
        case 6 where wan >= 10_000: return .string("近" + String((wan + 9_999) / 10_000) + "亿元")
        default: return .string(String(wan) + "万元")
        }
    }

    /// `count` leads from `seed`, handed to `emit` one at a time.
    static func generate(count: Int, seed: UInt64, _ emit: (JSONValue) -> Void) {
        guard count > 0 else { return }
        var r = SplitMix64(seed: seed)
        let firstDay = SyntheticPatients.firstDay
        for n in 1...count {
            let origin = r.pick(weighted: origins)
            let sector = r.pick(sectors)
            let brand = r.pick(brands)
            let company = sector.coop ? origin.prefix + brand + sector.business + "专业合作社"
                : origin.prefix + brand + sector.business + (r.chance(0.2) ? "股份有限公司" : "有限公司")
            let division = r.pick(origin.divisions)
            let body = organizationBody(&r)
            let code = CreditCode.make(authority: "9", type: sector.coop ? "3" : "1", divisionCode: division, organizationBody: body)
            let step = sector.high >= 10_000 ? 1_000 : 100
            let low = sector.low / step
            let high = sector.high / step
            let wan = r.int(low...high) * step
            let written = amount(wan: wan, &r)
            let stage = r.pick(weighted: stages)
            let event: String? = r.chance(0.8) ? r.pick(events) : nil
            var contact: (name: String, title: String?, phone: String?)?
            if r.chance(0.7) {
                let name = SyntheticNames.hanName(male: r.chance(0.7), &r)
                let title: String? = r.chance(0.8) ? (sector.coop ? "理事长" : r.pick(titles)) : nil
                let phone: String? = r.chance(0.5) ? SyntheticNames.phone(&r) : nil
                contact = (name, title, phone)
            }
            let date: CalendarDate? = r.chance(0.85) ? CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(SyntheticPatients.days)) : nil
            emit(item(Spec(id: "lead-s\(seed)-\(SyntheticPatients.pad(n, 6))", company: company, creditCode: code, sector: sector.sector,
                           amount: written, stage: stage, sourceEvent: event, contact: contact, date: date)))
        }
    }
}
