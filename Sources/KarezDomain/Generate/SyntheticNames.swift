/// Plausible personal names for synthetic data: Han names (surname and one or two characters),
/// Uyghur names (given name · father's name), Hui and Kazakh names. None stands for a real person.
enum SyntheticNames {
    static let hanSurnames = Array("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史黎贺顾毛郝龚邵万钱武戴孔汤").map(String.init)
    static let huiSurnames = ["马", "白", "丁", "海", "沙", "纳", "哈", "穆", "杨", "李"]
    static let hanMale = ["伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "波", "宁",
                          "建国", "建军", "志强", "国平", "海涛", "文博", "俊杰", "宇航", "德明", "立新", "振华", "晓东", "永刚", "红军",
                          "浩然", "子轩", "新民", "卫东", "春生", "家豪"]
    static let hanFemale = ["芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "莉", "红", "琳", "颖", "洁",
                            "秀英", "桂英", "玉兰", "晓燕", "丽华", "春梅", "雅琴", "美玲", "秀兰", "淑珍", "欣怡", "梓涵", "海燕",
                            "文静", "小红", "金凤", "素芬", "思雨"]
    static let uyghurMale = ["艾尔肯", "买买提", "吐尔逊", "阿不都", "热合曼", "艾力", "吾斯曼", "司马义", "亚森", "努尔", "阿力木",
                             "伊力哈木", "卡德尔", "麦麦提", "依明", "库尔班", "吐尔洪", "阿迪力", "肉孜", "赛买提", "艾买提", "玉素甫",
                             "阿布拉", "吾买尔", "塔依尔"]
    static let uyghurFemale = ["阿依古丽", "古丽巴哈尔", "帕提古丽", "热孜古丽", "迪丽努尔", "努尔古丽", "米热古丽", "阿依努尔",
                               "古丽米拉", "祖丽皮亚", "海迪且", "热依拉", "佐热姆", "阿米娜", "茹仙古丽", "再努尔", "阿娜尔古丽",
                               "萨拉", "美合日班", "古再丽努尔"]
    static let kazakhMale = ["努尔兰", "叶尔兰", "阿斯哈尔", "别克", "达吾列提", "哈力木", "叶尔江", "木拉提"]
    static let kazakhFemale = ["阿依达娜", "古丽娜尔", "阿依谢", "加娜尔", "沙吾列", "阿克努尔"]

    /// Ethnic groups of the synthetic population around the regiment, with relative weights.
    static let ethnicities: [(String, Int)] = [("汉族", 52), ("维吾尔族", 38), ("回族", 8), ("哈萨克族", 2)]

    /// A name for a person of an ethnic group and sex.
    static func name(ethnicity: String, male: Bool, _ r: inout SplitMix64) -> String {
        switch ethnicity {
        case "维吾尔族":
            return r.pick(male ? uyghurMale : uyghurFemale) + "·" + r.pick(uyghurMale)
        case "哈萨克族":
            return r.pick(male ? kazakhMale : kazakhFemale) + "·" + r.pick(kazakhMale)
        case "回族":
            return r.pick(huiSurnames) + r.pick(male ? hanMale : hanFemale)
        default:
            return hanName(male: male, &r)
        }
    }

    /// A Han name: surname and a one- or two-character given name.
    static func hanName(male: Bool, _ r: inout SplitMix64) -> String {
        r.pick(hanSurnames) + r.pick(male ? hanMale : hanFemale)
    }

    /// A mainland mobile number or a Turpan land line.
    static func phone(_ r: inout SplitMix64) -> String {
        if r.chance(0.8) {
            let prefix = r.pick(["139", "138", "135", "136", "137", "150", "151", "152", "158", "159", "180", "181", "183", "187", "189", "199"])
            return prefix + digits(8, &r)
        }
        return "0995-" + String(r.int(6, 8)) + digits(6, &r)
    }

    /// `count` random decimal digits.
    static func digits(_ count: Int, _ r: inout SplitMix64) -> String {
        var s = ""
        for _ in 0..<count { s.append(Character(Unicode.Scalar(UInt8(0x30 + r.below(10))))) }
        return s
    }
}

extension SplitMix64 {
    /// A uniform integer between `low` and `high` inclusive.
    mutating func int(_ low: Int, _ high: Int) -> Int { int(low...high) }
}
