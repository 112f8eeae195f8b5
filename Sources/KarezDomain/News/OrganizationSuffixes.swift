/// The words an organisation's name ends with (二二一团职工**医院**, 湖南**日报**), and the
/// words that anchor the start of one.
enum OrganizationSuffixes {
    /// Suffixes whose organisations usually carry a place or unit in their name; a name found
    /// with one of these is kept only when it starts with such an anchor.
    static let anchored: [String] = [
        "医院", "人民医院", "中医医院", "职工医院", "卫生院", "卫生室", "卫生服务中心", "疾病预防控制中心", "疾控中心", "妇幼保健院",
        "委员会", "管委会", "指挥部", "工作队", "工作组", "医疗队", "服务队", "日报", "晚报", "报社", "电视台", "广播电视台", "融媒体中心", "中心",
        "教育局", "公安局", "财政局", "规划局", "自然资源局", "自然资源和规划局", "住房和城乡建设局", "人力资源和社会保障局",
        "农业农村局", "文化和旅游局", "交通运输局", "商务局", "民政局", "统计局", "税务局", "卫生健康委员会", "卫健委", "发展和改革委员会",
        "发改委", "教育厅", "人民政府", "政府", "人民法院", "人民检察院", "党校", "兵团", "生产建设兵团", "博物馆", "图书馆", "纪念馆",
        "研究院", "研究所", "研究中心", "科学院", "出版社", "杂志社", "通讯社", "商会", "协会", "联合会", "妇联", "红十字会", "办公室",
        "农场", "林场", "党支部",
    ]

    /// Suffixes whose organisations often have a proper name without a place (梓山湖学校, 龙洲小学);
    /// an unanchored name with one of these is kept when it stands in an enumeration (与…、…等).
    static let proper: [String] = [
        "学校", "小学", "中学", "大学", "学院", "职业学校", "幼儿园", "公司", "有限公司", "有限责任公司", "股份有限公司", "集团",
        "合作社", "专业合作社", "银行", "基金会",
    ]

    /// Words that start an organisation's name even though the gazetteer does not know them.
    static let anchors: [String] = ["兵团", "中国", "国家", "全国", "中央", "自治区", "中华", "人民"]

    /// Administrative unit characters: a short name ending in one of these (高昌区, 亚尔镇) is a place.
    static let adminUnits = ScalarSet("市区县省州镇乡村旗盟")

    /// Scalars that never belong to an organisation's name: they end the name on the left.
    static let leftStops = ScalarSet(
        "的了和与及在到赴为是对向从把被将由于给让使跟同以其这那该各每也都又就并还而或等即如但所至往去来入经据任获受共着过们您我你他她它")

    /// Two-character verbs that end an organisation's name on the left (促成二二一团学校).
    static let leftStopWords: [String] = [
        "担任", "参加", "推动", "促成", "组织", "支持", "帮助", "开展", "进入", "进驻", "前往", "来到", "通过", "依托", "联合", "协调",
        "抽选", "选派", "包括", "挂牌", "建立", "成立", "举办", "位于", "隶属", "作为", "成为", "打造", "提升", "走访", "慰问", "考察",
        "调研", "参观", "召开", "邀请", "签订", "签约", "对接", "援建", "帮扶", "结对", "捐赠",
    ]
}
