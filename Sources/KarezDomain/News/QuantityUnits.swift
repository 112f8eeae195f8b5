/// The measure words and units a Chinese quantity ends with (19名, 700余人次, 10万吨).
enum QuantityUnits {
    /// Units, longest first where one is a prefix of another does not matter (the trie takes the
    /// longest). 万 and 亿 are magnitudes, not units: 10万吨 is 100000 吨.
    static let all: [String] = [
        "名", "人", "人次", "位", "例", "次", "个", "家", "项", "批", "篇", "所", "户", "吨", "亩", "公顷", "公里", "千米", "米", "平方米",
        "平方公里", "立方米", "台", "套", "辆", "条", "件", "场", "期", "天", "小时", "分钟", "年", "个月", "周", "岁", "间", "张", "本",
        "册", "株", "头", "只", "棵", "座", "栋", "节", "堂", "届", "支", "份", "轮", "处", "斤", "公斤", "千克", "克", "床", "组", "班",
        "村", "个村", "个百分点", "千瓦", "千瓦时", "度", "倍", "部", "首", "幅", "集", "场次", "架次", "车次", "人口",
    ]

    /// The units, each with its index in ``all`` (an integer, so a lookup copies no `String`).
    static let trie: ScalarTrie<Int32> = ScalarTrie(all.enumerated().map { ($1, Int32($0)) })
}
