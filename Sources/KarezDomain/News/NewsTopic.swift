/// The topics a news story can be tagged with, each with the Chinese and English keywords that
/// count as a hit. A story gets a topic when its text has at least ``minimumHits`` hits of the
/// topic's keywords (every occurrence counts; of keywords starting at the same place only the
/// longest counts).
enum NewsTopic: Int, CaseIterable, Sendable {
    case health, education, investment, culture, agriculture, employment, housing, infrastructure
    case povertyAlleviation, ethnicUnity, partyBuilding, media

    /// Hits a story needs before it gets the topic.
    static let minimumHits = 2

    /// The topic's name in the enrichment and in the `news_topic_stories` fact.
    var name: String {
        switch self {
        case .health: "health"
        case .education: "education"
        case .investment: "investment"
        case .culture: "culture"
        case .agriculture: "agriculture"
        case .employment: "employment"
        case .housing: "housing"
        case .infrastructure: "infrastructure"
        case .povertyAlleviation: "poverty_alleviation"
        case .ethnicUnity: "ethnic_unity"
        case .partyBuilding: "party_building"
        case .media: "media"
        }
    }

    /// Keywords, Chinese and English (English ones match whole words, in any case).
    var keywords: [String] {
        switch self {
        case .health:
            ["医院", "医疗", "医生", "医师", "患者", "病人", "手术", "体检", "健康", "卫生", "义诊", "巡诊", "诊疗", "接诊", "门诊", "中医",
             "中医药", "疾病", "护士", "卫生院", "科室",
             "hospital", "hospitals", "health", "healthcare", "medical", "doctor", "doctors", "patient", "patients", "surgery",
             "surgeries", "clinic", "clinics", "disease", "nurse", "nurses"]
        case .education:
            ["教育", "学校", "教师", "老师", "学生", "教学", "小学", "中学", "大学", "校长", "课堂", "助学", "国语", "师生", "教研", "夏令营",
             "幼儿园", "学院",
             "school", "schools", "education", "teacher", "teachers", "student", "students", "university", "classroom", "pupils"]
        case .investment:
            ["投资", "招商", "招商引资", "资金", "项目", "签约", "合作协议", "落地", "融资", "产业园", "洽谈会", "推介会", "企业",
             "investment", "investments", "invest", "investor", "investors", "funding", "funds", "project", "projects",
             "enterprise", "enterprises", "agreement", "agreements", "capital"]
        case .culture:
            ["文化", "历史", "陈列", "艺术", "博物馆", "展览", "文艺", "传统", "节日", "读书", "书香", "润疆", "非遗", "旅游",
             "culture", "cultural", "history", "museum", "exhibition", "art", "arts", "heritage", "festival", "tourism"]
        case .agriculture:
            ["农业", "农产品", "葡萄", "辣椒", "玉米", "棉花", "种植", "农民", "晒场", "合作社", "粮食", "果业", "养殖", "农村", "特色农业",
             "agriculture", "agricultural", "farm", "farms", "farmer", "farmers", "crop", "crops", "harvest", "grapes", "livestock"]
        case .employment:
            ["就业", "工资", "岗位", "招聘", "务工", "增收", "创业", "用工", "劳动力",
             "employment", "jobs", "job", "wage", "wages", "unemployment", "workers", "hiring", "labor", "labour"]
        case .housing:
            ["住房", "公寓", "保障房", "安居", "入住", "租金", "房屋", "住宅", "拎包入住", "廉租房",
             "housing", "apartment", "apartments", "rent", "residential", "homes", "dwellings"]
        case .infrastructure:
            ["基础设施", "道路", "公路", "铁路", "桥梁", "供水", "电网", "管网", "交通", "水利", "园区",
             "infrastructure", "road", "roads", "railway", "railways", "bridge", "bridges", "highway", "highways", "pipeline", "grid"]
        case .povertyAlleviation:
            ["脱贫", "扶贫", "脱贫攻坚", "乡村振兴", "困难", "帮扶", "低保", "贫困", "巩固拓展",
             "poverty", "alleviation", "impoverished", "revitalization", "revitalisation"]
        case .ethnicUnity:
            ["民族团结", "各民族", "少数民族", "维吾尔族", "交往交流交融", "石榴籽", "中华民族共同体", "民族", "兵地融合", "五个认同",
             "ethnic", "unity", "minority", "minorities", "uyghur", "uygur", "uighur"]
        case .partyBuilding:
            ["党建", "党支部", "党委", "党员", "党组织", "党的", "政治引领", "党建引领", "基层组织",
             "party building", "communist party", "cpc", "party committee", "party members"]
        case .media:
            ["新闻", "日报", "电视台", "媒体", "融媒体", "记者", "报道", "短视频", "公众号", "宣传", "稿件", "视频号", "专栏",
             "news", "media", "newspaper", "television", "journalist", "journalists", "reporter", "reporters", "broadcast", "video"]
        }
    }
}
