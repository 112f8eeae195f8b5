import KarezDomain
import Testing

@Suite("Sector classes")
struct LeadSectorClassTests {
    @Test("free-text sectors to classes", arguments: [
        ("光热发电", SectorClass.energy), ("光伏发电", .energy), ("新能源储能", .energy), ("光伏科技", .energy),
        ("葡萄干精深加工", .agriculture), ("葡萄种植", .agriculture), ("特色农业", .agriculture), ("农产品加工", .agriculture),
        ("辣椒加工", .agriculture), ("农产品晒场", .agriculture), ("肉羊养殖", .agriculture),
        ("文化旅游", .tourism), ("文旅融合", .tourism), ("乡村旅游民宿", .tourism),
        ("文化创意", .culture), ("影视传媒", .culture),
        ("职业技能培训", .education), ("中医药康养", .health), ("生物医药", .health),
        ("冷链物流", .logistics), ("跨境电商", .trade), ("进出口贸易", .trade),
        ("软件和信息技术服务", .technology), ("金融服务", .finance), ("建筑工程", .construction),
        ("纺织服装制造", .manufacturing), ("食品生产", .manufacturing), ("煤炭开采", .mining), ("餐饮服务", .services),
        ("Solar power", .energy), ("AGRICULTURE", .agriculture), ("Software", .technology), ("Hotel management", .tourism),
        ("其他", .other), ("", .other), ("综合", .other),
    ])
    func classify(_ sector: String, _ expected: SectorClass) {
        #expect(SectorClass.classify(sector) == expected)
    }

    @Test("the table names every class but other, and each keyword once")
    func table() {
        let classes = Set(SectorClass.keywords.map(\.0))
        #expect(classes == Set(SectorClass.allCases).subtracting([.other]))
        let words = SectorClass.keywords.flatMap(\.1)
        #expect(Set(words).count == words.count)
        #expect(words.allSatisfy { $0.utf8.count >= 2 && $0 == $0.lowercased() })
        #expect(SectorClass.allCases.count == 15)
    }
}
