import KarezProtocol

/// Short synthetic Chinese news stories about the aid programme: free clinics, surgeries, schools,
/// investment promotion, projects, the drying grounds, culture and training, each with dates,
/// places, amounts and counts in the forms real reports use.
enum SyntheticNews {
    /// The outlets the reference story names.
    static let referenceOutlets = ["湖南日报", "兵团日报", "湖南援疆公众号", "益阳日报", "益阳电视台", "十二师融媒体中心", "益阳在线"]
    /// Outlets of random stories.
    static let outlets = referenceOutlets + ["新疆日报", "天山网", "红网", "吐鲁番日报"]

    static let clinicPlaces = ["二二一团", "二二一团一连", "吐鲁番市高昌区亚尔镇", "高昌区亚尔果勒村", "二二一团三连", "吐鲁番市鄯善县"]
    static let provinces = ["贵州", "山东", "福建厦门", "湖南长沙", "浙江杭州", "广东深圳"]
    static let surgeries = ["腹腔镜胆囊切除", "阑尾切除", "白内障超声乳化", "腹股沟疝修补", "股骨骨折内固定", "输尿管结石碎石"]
    static let doctors = ["援疆医生", "援疆专家", "益阳援疆医疗队"]
    static let quoteRoles = ["二二一团职工", "当地群众", "维吾尔族村民", "团场退休职工"]

    /// A date as Chinese text, with or without its year.
    static func chinese(_ d: CalendarDate, year: Bool) -> String {
        (year ? "\(d.year)年" : "") + "\(d.month)月\(d.day)日"
    }

    /// One story: title, body and tags, about an event on `day`.
    static func story(day: CalendarDate, _ r: inout SplitMix64) -> (title: String, body: String, tags: [String]) {
        let when = chinese(day, year: r.chance(0.5))
        switch r.below(10) {
        case 0:
            let place = r.pick(clinicPlaces)
            let n = r.int(60, 320)
            let k = r.int(3, 6)
            return ("益阳援疆医生走进\(place)开展义诊",
                    "\(when)，益阳市援疆医疗队\(k)名医生来到\(place)，为职工群众开展义诊巡诊活动。当天共接诊群众\(n)人次，免费发放药品价值约\(r.int(1, 9) * 1000)元，发放健康宣传资料\(r.int(2, 8) * 100)余份。援疆医生还为\(r.int(10, 40))名患者提供了中医针灸、推拿和超声检查服务。",
                    ["医疗援疆", "义诊"])
        case 1:
            let op = r.pick(surgeries)
            let hospital = r.pick(["吐鲁番市人民医院", "高昌区人民医院"])
            return ("援疆医生在\(hospital)成功实施\(op)手术",
                    "\(when)，益阳援疆医生在\(hospital)成功为一名\(r.int(35, 78))岁患者实施\(op)手术，术后患者恢复良好。今年以来，益阳援疆医生定期到\(hospital)开展手术、中医、超声、病理等方面支援，已参与实施手术\(r.int(5, 30))例。",
                    ["医疗援疆", "手术"])
        case 2:
            let students = r.int(20, 60)
            return ("红石榴·民族学生国语提升班开课",
                    "\(when)，援疆教师在二二一团学校举办红石榴·民族学生国语提升班，\(students)名少数民族学生和\(students * 2 + r.int(0, 30))名家长参加。援疆教师每周五利用1小时开展“小手拉大手，一起学国语”活动，进一步提高了低年级学生的普通话水平。",
                    ["教育援疆", "国语"])
        case 3:
            let province = r.pick(provinces)
            let firms = r.int(3, 9)
            let wan = r.int(5, 60) * 100
            return ("二二一团赴\(province)开展招商引资活动",
                    "\(when)，二二一团招商小分队赴\(province)开展招商引资活动，走访商会和企业\(firms)家，推介光热产业园区、瀚东工业园和葡萄干精深加工项目。双方就\(r.pick(["光热发电", "农产品加工", "文化旅游", "冷链物流"]))项目达成合作意向，意向投资\(wan)万元。",
                    ["招商引资", "产业援疆"])
        case 4:
            let wan = r.int(10, 90) * 10
            return ("援疆项目现场会召开",
                    "\(when)，二二一团召开援疆项目现场会。今年计划内援疆项目\(r.int(4, 8))个，完成投资\(wan)万元，其中投入援疆资金\(r.int(1, 9) * 50)万元支持团场企业和合作社开展技术改造和产品升级。",
                    ["援疆项目", "投资"])
        case 5:
            let tons = r.int(2, 10)
            return ("万亩晒场助力各族群众增收",
                    "\(when)，记者在二二一团万亩晒场看到，职工群众正忙着翻晒葡萄、辣椒和玉米。截至目前，晒场已晒干农产品近\(tons)万吨，吸纳\(r.int(5, 12) * 10)余名团场职工和\(r.int(30, 60) * 10)余名周边群众就业，年发放工资\(r.int(30, 90) * 10)多万元。",
                    ["产业援疆", "就业"])
        case 6:
            return ("“天山芙蓉·八千湘女上天山”历史陈列接待参观者",
                    "\(when)，“天山芙蓉·八千湘女上天山”历史陈列迎来又一批参观者。陈列自2023年7月试运营以来，已接待自治区、湖南省和兵团等地各级领导、单位\(r.int(3, 8) * 10)余批\(r.int(3, 7) * 100)余人次，正逐步成为文化润疆的重要阵地。",
                    ["文化润疆", "八千湘女"])
        case 7:
            let n = r.int(20, 45)
            return ("\(n)名兵团干部赴益阳参加专题培训",
                    "\(when)，二二一团\(n)名干部人才抵达益阳市，参加为期\(r.int(5, 12))天的基层组织建设专题培训班。培训通过课堂教学、实地观摩等方式，进一步提高当地干部业务素质。",
                    ["干部培训", "交往交流交融"])
        case 8:
            let n = r.int(15, 30)
            return ("二二一团学校师生赴益阳参加夏令营",
                    "\(when)，二二一团学校\(n)名师生启程前往益阳市，参加“益兵情深·携手向未来”夏令营活动。\(r.int(5, 8))天里，师生们参观了益阳的历史文化景点，与益阳学生结对交流。",
                    ["教育援疆", "夏令营"])
        default:
            let wan = r.int(5, 20)
            return ("援疆工作队争取助学资金\(wan)万元",
                    "\(when)，益阳市援疆工作队积极推动教育助学项目，争取助学资金约\(wan)万元，帮助二二一团学校\(r.int(3, 6) * 10)余名各族困难学生解决学平险、医保、校服等实际问题。",
                    ["教育援疆", "助学"])
        }
    }

    /// A news body with a publication day one to three days after the event.
    static func item(id: String, outlet: String, day: CalendarDate, _ r: inout SplitMix64) -> JSONValue {
        let s = story(day: day, &r)
        let published = CalendarDate(daysSinceEpoch: day.daysSinceEpoch + r.int(0, 3))
        return .object(JSONObject([
            ("id", .string(id)), ("kind", "news"), ("title", .string(s.title)), ("body", .string(s.body)), ("language", "zh"),
            ("source", .string(outlet)), ("published_at", .string(published.description)),
            ("tags", .array((["对口援疆"] + s.tags).map { .string($0) })),
        ]))
    }

    /// `count` stories from `seed`, handed to `emit` one at a time.
    static func generate(count: Int, seed: UInt64, _ emit: (JSONValue) -> Void) {
        guard count > 0 else { return }
        var r = SplitMix64(seed: seed)
        let firstDay = SyntheticPatients.firstDay
        for n in 1...count {
            let outlet = r.pick(outlets)
            let day = CalendarDate(daysSinceEpoch: firstDay.daysSinceEpoch + r.below(SyntheticPatients.days))
            emit(item(id: "news-s\(seed)-\(SyntheticPatients.pad(n, 6))", outlet: outlet, day: day, &r))
        }
    }
}
