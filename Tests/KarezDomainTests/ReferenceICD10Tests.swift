import KarezDomain
import Testing

@Suite("ICD-10")
struct ReferenceICD10Tests {
    @Test("22 chapters with roman numerals and titles")
    func chapters() {
        #expect(ICD10.chapters.count == 22)
        #expect(ICD10.chapters.map(\.number) == Array(1...22))
        #expect(ICD10.chapters[10].roman == "XI")
        #expect(ICD10.chapters[10].title == "消化系统疾病")
        #expect(ICD10.chapters[21].roman == "XXII")
    }

    @Test("code to chapter", arguments: [
        ("A09", "I"), ("B99", "I"), ("C50.9", "II"), ("D48", "II"), ("D50", "III"), ("E11.9", "IV"), ("F32", "V"),
        ("G47.0", "VI"), ("H25.9", "VII"), ("H59", "VII"), ("H60", "VIII"), ("H95", "VIII"), ("I10", "IX"),
        ("J06.9", "X"), ("K35.8", "XI"), ("K93", "XI"), ("L30.9", "XII"), ("M54.5", "XIII"), ("N20.0", "XIV"),
        ("O80", "XV"), ("P96", "XVI"), ("Q21", "XVII"), ("R42", "XVIII"), ("S72.0", "XIX"), ("T98", "XIX"),
        ("V01", "XX"), ("W19", "XX"), ("X59", "XX"), ("Y98", "XX"), ("Z00.0", "XXI"), ("Z99", "XXI"), ("U07.1", "XXII"),
    ])
    func chapterOfCode(_ code: String, _ roman: String) {
        #expect(ICD10.chapter(of: code)?.roman == roman)
    }

    @Test("codes between chapters or malformed have no chapter",
          arguments: ["D49", "E91", "H96", "H99", "K94", "P97", "T99", "V00", "Y99", "U86", "U99", "k35", "K3", "", "3K5"])
    func unknownChapter(_ code: String) {
        #expect(ICD10.chapter(of: code) == nil)
    }

    @Test("every chapter range is covered once and the ranges are as in WHO ICD-10")
    func ranges() {
        let ranges = ICD10.chapters.map { "\($0.first)-\($0.last)" }
        #expect(ranges == ["A00-B99", "C00-D48", "D50-D89", "E00-E90", "F00-F99", "G00-G99", "H00-H59", "H60-H95",
                           "I00-I99", "J00-J99", "K00-K93", "L00-L99", "M00-M99", "N00-N99", "O00-O99", "P00-P96",
                           "Q00-Q99", "R00-R99", "S00-T98", "V01-Y98", "Z00-Z99", "U00-U85"])
    }

    @Test("common categories have titles", arguments: [
        ("J06.9", "多发性和未特指部位的急性上呼吸道感染"), ("I10", "特发性（原发性）高血压"), ("E11.9", "非胰岛素依赖型糖尿病"),
        ("K35.8", "急性阑尾炎"), ("K80.2", "胆石病"), ("N20.0", "肾和输尿管结石"), ("M54.5", "背痛"), ("S72.0", "股骨骨折"),
        ("O80", "单胎顺产"), ("Z00.0", "无主诉或报告诊断的人的一般检查和调查"),
    ])
    func categoryTitles(_ code: String, _ title: String) {
        #expect(ICD10.category(of: code)?.title == title)
        #expect(ICD10.category(of: code)?.englishTitle.isEmpty == false)
    }

    @Test("at least 150 categories, in code order, each inside a chapter")
    func categoryTable() {
        let codes = ICD10.categories.map(\.code)
        #expect(codes.count >= 150)
        #expect(codes == codes.sorted())
        for code in codes { #expect(ICD10.chapter(of: code) != nil) }
        #expect(ICD10.category(of: "K36") == nil)
        #expect(ICD10.category(of: "H99") == nil)
    }
}
