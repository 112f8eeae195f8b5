/// The figures of the reference story that the reference data set (``ReferenceDataSet``)
/// reproduces exactly, and what the facts of its items add up to once processed.
public enum ReferenceFigures {
    /// The regiment's hospital, where the aid doctors work.
    public static let regimentHospital = "二二一团职工医院"
    /// The hospitals where the aid doctors take part in surgery.
    public static let surgeryHospitals = ["吐鲁番市人民医院", "高昌区人民医院"]

    /// "一年累计接诊病人723例": outpatient, inpatient and consultation visits at the regiment hospital.
    public static let regimentHospitalVisits = 723
    /// How the 723 visits split by kind: outpatient, inpatient, consult.
    public static let regimentVisitsByKind: [(kind: String, count: Int)] = [("outpatient", 598), ("inpatient", 85), ("consult", 40)]
    /// "职工群众健康体检700余人次": `checkup` visits at the regiment hospital.
    public static let healthChecks = 706
    /// "一年来共参与实施手术38例": `surgery` visits at the two surgery hospitals.
    public static let surgeries = 38

    /// "吸引来团对接企业17家": leads that reached `contacted`.
    public static let enterprisesContacted = 17
    /// "签订合作协议4家": leads that reached `agreement_signed`.
    public static let agreementsSigned = 4
    /// "落地项目2个": leads that reached `landed`.
    public static let projectsLanded = 2

    /// "刊发100余篇新闻稿件": short stories across the outlets the story names.
    public static let newsStories = 104
    /// The outlets the story names.
    public static let newsOutlets = ["湖南日报", "兵团日报", "湖南援疆公众号", "益阳日报", "益阳电视台", "十二师融媒体中心", "益阳在线"]
    /// The source events of the leads the story names.
    public static let leadEvents = ["中国国际投资贸易洽谈会", "兵团厦门招商引资推介会"]

    /// Deliberately invalid items (ids starting `bad-`), each refused for one stated reason.
    public static let invalidItems = 5

    /// The first day of the visits and leads: the work team's arrival.
    public static let firstDay = "2023-05-24"
    /// The last day of the visits and leads: the project meeting of 4 January 2024.
    public static let lastDay = "2024-01-04"

    /// Every item of the set: the reference story, the visits, the leads, the short stories and the
    /// invalid items.
    public static var totalItems: Int {
        1 + regimentHospitalVisits + healthChecks + surgeries + enterprisesContacted + newsStories + invalidItems
    }
}
