/// Page chrome copied along with a story from a web page: trailing lines such as 打印, 关闭,
/// 【打印】【关闭窗口】, 返回顶部, 分享到：微信 微博, "Print | Close", and white space at the end.
enum PageChrome {
    /// Words a chrome line is made of; `true` marks the words at least one of which it must have.
    static let words: [(String, Bool)] = [
        ("打印", true), ("关闭", true), ("关闭窗口", true), ("打印本页", true), ("打印此页", true), ("返回顶部", true), ("回到顶部", true),
        ("分享到", true), ("收藏", true), ("加入收藏", true), ("返回", true), ("返回首页", true), ("扫一扫", true),
        ("窗口", false), ("本页", false), ("此页", false), ("顶部", false), ("分享", false), ("字体", false), ("字号", false), ("大", false),
        ("中", false), ("小", false), ("默认", false), ("微信", false), ("微博", false), ("朋友圈", false), ("QQ空间", false), ("qq", false),
        ("print", true), ("close", true), ("close window", true), ("back to top", true), ("share", true), ("share to", true),
        ("top", false), ("this page", false), ("window", false),
    ]

    static let trie = ScalarTrie(words.map { (key: $0.0, value: $0.1) })

    /// Scalars a chrome line may have between its words: spaces, brackets and separators.
    static let separators = ScalarSet("【】[]()（）|｜/、:：·•-—<>《》,.，。 \t\u{3000}\u{A0}")

    /// The longest a chrome line can be, in scalars.
    static let maxLine = 40

    /// The number of scalars the stored body keeps: the text without trailing chrome lines and
    /// trailing white space.
    static func storedLength(_ t: UnsafeBufferPointer<UInt32>) -> Int {
        var end = t.count
        while true {
            while end > 0, Scalars.isSpace(t[end - 1]) { end -= 1 }
            var lineStart = end
            while lineStart > 0, !Scalars.isLineBreak(t[lineStart - 1]) { lineStart -= 1 }
            guard end > lineStart, isChrome(t, lineStart, end) else { return end }
            end = lineStart
        }
    }

    /// True when scalars `start..<end` are chrome words and separators only, with a core word.
    static func isChrome(_ t: UnsafeBufferPointer<UInt32>, _ start: Int, _ end: Int) -> Bool {
        guard end - start <= maxLine else { return false }
        var i = start
        var core = false
        while i < end {
            if separators.contains(t[i]) { i += 1; continue }
            guard let match = trie.longestMatch(UnsafeBufferPointer(rebasing: t[..<end]), at: i) else { return false }
            core = core || match.value
            i = match.end
        }
        return core
    }
}
