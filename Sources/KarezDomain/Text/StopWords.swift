/// Words too common to be keywords.
enum StopWords {
    /// Chinese function characters: they split the text into segments n-grams do not cross.
    static let chineseCharacters = ScalarSet("的了和与及在是为等对把被将从向也都又就并还而之其这那着过们地得所以于由或但即使让给到有各每如该此")

    /// Common Chinese words that say nothing about a story's subject.
    static let chineseWords = ScalarTrie([
        "工作", "开展", "进行", "实现", "推动", "加强", "提高", "不断", "进一步", "一个", "一批", "一年", "一起", "一条", "一名", "一家",
        "我们", "他们", "她们", "以及", "通过", "同时", "目前", "已经", "没有", "可以", "这个", "方面", "持续", "积极", "充分", "有效",
        "全面", "深化", "提升", "促进", "注重", "坚持", "认真", "组织", "参与", "相关", "共同", "重要", "主要", "各种", "其中", "先后",
        "不仅", "而且", "因为", "所以", "如果", "但是", "还是", "成为", "作为", "之一", "多次", "一步", "不同", "大家", "来自", "着力",
        "切实", "做好", "一系列", "一定", "情况", "问题", "表示", "介绍", "说道", "如是说", "一对一", "来到", "进入", "正在", "开始",
        "发展", "建设", "记者", "报道",
    ].map { (key: $0, value: true) })

    /// English words that say nothing about a story's subject.
    static let english: Set<String> = [
        "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have",
        "his", "him", "how", "its", "may", "new", "now", "old", "see", "two", "way", "who", "did", "get", "let", "say", "she", "too",
        "use", "that", "with", "this", "from", "they", "will", "would", "there", "their", "what", "about", "which", "when", "were",
        "been", "into", "than", "them", "then", "these", "those", "some", "such", "also", "more", "most", "other", "over", "only",
        "said", "says", "after", "before", "while", "where", "your", "could", "should", "each", "many", "much", "very", "just",
        "like", "well", "year", "years", "per", "cent", "percent", "million", "billion", "thousand", "yuan", "being", "both",
        "between", "during", "through", "under", "until", "upon", "within", "without", "because", "against", "among", "since",
        "across", "according", "including", "told", "three", "four", "five", "first", "last", "last", "here", "does", "own",
        "same", "made", "make", "take", "took", "even", "still", "yet", "another", "every", "whose", "whom", "why", "off",
        "went", "sent", "got", "came", "gave", "put", "set", "cny", "rmb", "usd",
    ]
}
