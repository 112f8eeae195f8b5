/// A lead's free-text `sector` ("光热发电", "葡萄干精深加工", "文化旅游") normalised to one of a fixed
/// set of classes through a keyword table (Chinese and English).
///
/// When several keywords occur, the class listed first in ``keywords`` wins, so that "文化旅游" is
/// tourism rather than culture, "农产品加工" agriculture rather than manufacturing and "光伏科技"
/// energy rather than technology.
public enum SectorClass: String, Sendable, CaseIterable {
    case agriculture, manufacturing, energy, mining, construction, logistics, tourism, culture, education, health
    case trade, technology, finance, services, other

    /// Keywords by priority: the first class whose keyword occurs in the text is chosen.
    public static let keywords: [(SectorClass, [String])] = [
        (.energy, ["光伏", "光热", "新能源", "风电", "风能", "太阳能", "储能", "氢能", "发电", "电力", "能源", "solar", "wind power",
                   "photovolta", "energy"]),
        (.mining, ["矿业", "采矿", "矿产", "煤炭", "石油", "天然气", "mining", "coal"]),
        (.tourism, ["文旅", "旅游", "酒店", "民宿", "景区", "touris", "hotel"]),
        (.agriculture, ["葡萄", "农业", "农产品", "种植", "养殖", "畜牧", "晒场", "果业", "林果", "瓜果", "哈密瓜", "红枣", "辣椒", "棉花",
                        "蔬菜", "粮食", "农", "agricultur", "farm", "livestock"]),
        (.health, ["医疗", "医药", "制药", "药业", "医院", "健康", "养老", "中医", "康养", "health", "medic", "pharma", "hospital"]),
        (.education, ["教育", "培训", "学校", "职业技能", "educat", "training", "school"]),
        (.logistics, ["物流", "仓储", "冷链", "运输", "快递", "供应链", "logistic", "warehous", "freight", "shipping"]),
        (.finance, ["金融", "银行", "保险", "证券", "基金", "投资", "financ", "bank", "insur", "invest"]),
        (.trade, ["电商", "电子商务", "贸易", "商贸", "零售", "批发", "进出口", "商业", "trade", "trading", "retail", "commerce",
                  "wholesale"]),
        (.technology, ["科技", "软件", "信息", "互联网", "数字", "数据", "人工智能", "通信", "电子", "software", "technolog", "internet",
                       "digital", "data"]),
        (.culture, ["文化", "传媒", "影视", "出版", "演艺", "非遗", "文创", "cultur", "media", "film"]),
        (.construction, ["建筑", "建设", "工程", "基建", "房地产", "市政", "建材", "construct", "real estate", "building"]),
        (.manufacturing, ["制造", "加工", "工业", "纺织", "化工", "机械", "装备", "食品", "材料", "生产", "工厂", "manufactur",
                          "factory", "textile", "processing"]),
        (.services, ["服务", "餐饮", "家政", "咨询", "物业", "租赁", "service", "consult", "catering"]),
    ]

    /// The class of a free-text sector; ``other`` when no keyword occurs. ASCII letters are
    /// compared without case.
    public static func classify(_ sector: String) -> SectorClass {
        var text = Array(sector.utf8)
        for k in text.indices where text[k] >= 0x41 && text[k] <= 0x5A { text[k] += 0x20 }
        var best = Int.max
        var k = 0
        while k < text.count {
            if let entries = table.byStart[startKey(text, k)] {
                for entry in entries where entry.priority < best && matches(text, at: k, entry.bytes) {
                    best = entry.priority
                }
            }
            k += 1
        }
        return best == Int.max ? .other : keywords[best].0
    }

    // MARK: - Matching

    /// A keyword's bytes and the index of its class in ``keywords``.
    struct Entry: Sendable {
        let bytes: [UInt8]
        let priority: Int
    }

    /// Keywords grouped by their first two bytes, so each position of the text is checked only
    /// against keywords that can start there.
    struct Table: Sendable {
        var byStart: [UInt16: [Entry]] = [:]
    }

    static let table: Table = {
        var t = Table()
        for (priority, (_, words)) in keywords.enumerated() {
            for word in words {
                let bytes = Array(word.utf8)
                t.byStart[startKey(bytes, 0), default: []].append(Entry(bytes: bytes, priority: priority))
            }
        }
        return t
    }()

    /// The first two bytes at `k` (the second 0 at the end of the text). Every keyword has at
    /// least two bytes, so a keyword can only match where its key equals the text's.
    @inline(__always) static func startKey(_ bytes: [UInt8], _ k: Int) -> UInt16 {
        UInt16(bytes[k]) << 8 | UInt16(k + 1 < bytes.count ? bytes[k + 1] : 0)
    }

    @inline(__always) static func matches(_ text: [UInt8], at k: Int, _ word: [UInt8]) -> Bool {
        guard k + word.count <= text.count else { return false }
        for j in 0..<word.count where text[k + j] != word[j] { return false }
        return true
    }
}
