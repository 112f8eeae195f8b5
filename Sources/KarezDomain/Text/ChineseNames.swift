/// What a Chinese personal name looks like: common surnames, and the scalars that end a name
/// written in running text.
enum ChineseNames {
    /// Common single-character surnames (the most frequent ~230 of the census lists), minus those
    /// that are far more often an ordinary word right after a title (常, 和, 时, 向, 全, 应, 党,
    /// 成, 单, 管, 解, 师, 商, 明, 文, 万, 安, 关, 司, 古, 车, 连, 于).
    static let surnames = ScalarSet(
        "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付"
            + "方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵钱严覃武戴莫孔汤温康施牛樊葛邢齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿兰焦俞左柳"
            + "甘祝包宁尚符舒阮柯纪梅童凌毕季裴霍涂苗谷盛曲翁冉骆蓝游辛靳柴蒙鲍华喻祁蒲房滕屈饶牟艾尤阳穆农卓吉缪简项芦麦褚娄窦戚岑景宫费卜"
            + "冷晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝")

    /// Two-character surnames.
    static let compoundSurnames = ScalarTrie(["欧阳", "司马", "诸葛", "上官", "司徒", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "夏侯", "长孙", "宇文",
                                              "端木"].map { (key: $0, value: true) })

    /// Scalars that, right after a name, show the name has ended: conjunctions, prepositions and
    /// the first characters of verbs that follow a name in news prose (先后, 在, 如是说, 担任, 等…).
    static let followers = ScalarSet(
        "等和与及在说表介指强认先到同也时担为是来带率陪主对向从还就均如深亲分出作讲参调会赴前接于曾已又都谈称告所现正将被把给让提要通以并便即一")

    /// True when a name can end at `p`: the end of the text, a scalar that is not a CJK ideograph
    /// (punctuation, space, digits, Latin), or one of ``followers``.
    @inline(__always) static func endsName(_ t: UnsafeBufferPointer<UInt32>, at p: Int) -> Bool {
        p >= t.count || !Scalars.isCJK(t[p]) || followers.contains(t[p])
    }

    /// True when `u` may be part of a given name.
    @inline(__always) static func isNameScalar(_ u: UInt32) -> Bool { Scalars.isCJK(u) && !followers.contains(u) }
}
