import KarezDomain
import Testing

@Suite("Gazetteer")
struct ReferenceGazetteerTests {
    @Test("34 province-level divisions with full and short names")
    func provinces() {
        let provinces = Gazetteer.allPlaces.filter { $0.level == .province }
        #expect(provinces.count == 34)
        #expect(Set(provinces.map(\.code)).count == 34)
        let xinjiang = Gazetteer.province(code: "65")
        #expect(xinjiang?.name == "新疆维吾尔自治区")
        #expect(xinjiang?.shortName == "新疆")
        #expect(Gazetteer.province(code: "43")?.name == "湖南省")
        #expect(Gazetteer.province(code: "43")?.shortName == "湖南")
        #expect(Gazetteer.province(code: "650402")?.code == "65")
        #expect(Gazetteer.province(code: "99") == nil)
        #expect(Gazetteer.province(code: "6") == nil)
        #expect(Gazetteer.province(code: "A5") == nil)
    }

    @Test("prefectures by 4-digit code or a longer code's first four digits")
    func prefectures() {
        #expect(Gazetteer.prefecture(code: "6504")?.name == "吐鲁番市")
        #expect(Gazetteer.prefecture(code: "6504")?.shortName == "吐鲁番")
        #expect(Gazetteer.prefecture(code: "4309")?.name == "益阳市")
        #expect(Gazetteer.prefecture(code: "430903")?.name == "益阳市")
        #expect(Gazetteer.prefecture(code: "6540")?.shortName == "伊犁")
        #expect(Gazetteer.prefecture(code: "6529")?.shortName == "阿克苏")
        #expect(Gazetteer.prefecture(code: "2202")?.shortName == "吉林市")
        #expect(Gazetteer.prefecture(code: "6503") == nil)
        #expect(Gazetteer.prefecture(code: "65") == nil)
    }

    @Test("every province except the municipalities, Taiwan, Hong Kong and Macau has prefectures")
    func everyProvinceHasPrefectures() {
        let withPrefectures = Set(Gazetteer.allPlaces.filter { $0.level == .prefecture }.map { String($0.code.prefix(2)) })
        let provinces = Set(Gazetteer.allPlaces.filter { $0.level == .province }.map(\.code))
        #expect(provinces.subtracting(withPrefectures) == ["11", "12", "31", "50", "71", "81", "82"])
        #expect(Gazetteer.allPlaces.filter { $0.level == .prefecture }.count >= 330)
    }

    @Test("exact codes: 2, 4 and 6 digits, and 6-digit codes ending in zeros")
    func exactPlaces() {
        #expect(Gazetteer.place(code: "650402")?.name == "高昌区")
        #expect(Gazetteer.place(code: "650402")?.shortName == "高昌")
        #expect(Gazetteer.place(code: "650402")?.level == .county)
        #expect(Gazetteer.place(code: "430902")?.name == "资阳区")
        #expect(Gazetteer.place(code: "430903")?.name == "赫山区")
        #expect(Gazetteer.place(code: "650102")?.shortName == "天山区")
        #expect(Gazetteer.place(code: "659001")?.name == "石河子市")
        #expect(Gazetteer.place(code: "6504")?.level == .prefecture)
        #expect(Gazetteer.place(code: "65")?.level == .province)
        #expect(Gazetteer.place(code: "650100")?.name == "乌鲁木齐市")
        #expect(Gazetteer.place(code: "650000")?.name == "新疆维吾尔自治区")
        #expect(Gazetteer.place(code: "650499") == nil)
        #expect(Gazetteer.place(code: "650") == nil)
        #expect(Gazetteer.place(code: "") == nil)
        #expect(Gazetteer.place(code: "65040x") == nil)
    }

    @Test("region of a 6-digit division code")
    func region() throws {
        let turpan = try #require(Gazetteer.region(divisionCode: "650402"))
        #expect(turpan.province.shortName == "新疆")
        #expect(turpan.prefecture?.name == "吐鲁番市")
        let beijing = try #require(Gazetteer.region(divisionCode: "110105"))
        #expect(beijing.province.name == "北京市")
        #expect(beijing.prefecture == nil)
        let shihezi = try #require(Gazetteer.region(divisionCode: "659001"))
        #expect(shihezi.prefecture == nil)
        #expect(Gazetteer.region(divisionCode: "990101") == nil)
        #expect(Gazetteer.region(divisionCode: "6504") == nil)
    }

    @Test("province(of:) for every place, and codes are unique")
    func provinceOfPlace() {
        let places = Gazetteer.allPlaces
        #expect(Set(places.map(\.code)).count == places.count)
        for place in places {
            let province = Gazetteer.province(of: place)
            #expect(place.code.hasPrefix(province.code))
            #expect(province.level == .province)
            #expect(!place.shortName.isEmpty)
        }
        #expect(Gazetteer.province(of: Gazetteer.place(code: "430903")!).name == "湖南省")
    }
}
