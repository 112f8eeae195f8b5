import KarezProtocol

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How promising a lead is, in [0, 1]:
///
///     score = 0.40 × stage + 0.30 × amount + 0.20 × completeness + 0.10 × recency
///
/// - **stage**: contacted 1/3, agreement_signed 2/3, landed 1.
/// - **amount**: `(log10(amount_cny) − 5) / 4`, clamped to [0, 1]: 100 000 yuan or less counts 0,
///   1 000 000 000 yuan (10亿) or more counts 1, so 1 000万元 counts 0.5.
/// - **completeness**: a quarter each for a `contact`, a contact `phone` or `title`, a
///   `source_event` and a `date`.
/// - **recency**: with a `date`, 1 when at most 90 days before today, falling linearly to 0 at
///   730 days (two years); without a date, 0.
///
/// Rounded to three decimals. A landed 1.5亿元 lead with full contact details dated last month
/// scores 0.938; a contacted 100万元 lead with nothing else 0.208.
public enum LeadScore {
    /// Weight of each component; they add up to 1.
    public static let stageWeight = 0.40, amountWeight = 0.30, completenessWeight = 0.20, recencyWeight = 0.10

    /// The score of a lead whose amount in yuan is `amountCNY`, as of `today`.
    public static func score(_ lead: Lead, amountCNY: Double, today: CalendarDate) -> Double {
        let stage = Double(LeadStageRank.rank(lead.stage)) / 3
        let amount = amountCNY > 0 ? min(1, max(0, (log10(amountCNY) - 5) / 4)) : 0
        var complete = 0.0
        if let contact = lead.contact {
            complete += 1
            if contact.phone != nil || contact.title != nil { complete += 1 }
        }
        if lead.sourceEvent != nil { complete += 1 }
        var recency = 0.0
        if let date = lead.date {
            complete += 1
            let days = Double(today.daysSinceEpoch - date.daysSinceEpoch)
            recency = min(1, max(0, (730 - days) / (730 - 90)))
        }
        let s = stageWeight * stage + amountWeight * amount + completenessWeight * complete / 4 + recencyWeight * recency
        return (min(1, max(0, s)) * 1000).rounded() / 1000
    }
}

/// The order of a lead's stage: contacted 1, agreement_signed 2, landed 3.
public enum LeadStageRank {
    /// The rank of a stage, 1 to 3.
    public static func rank(_ stage: Lead.Stage) -> Int {
        switch stage {
        case .contacted: 1
        case .agreementSigned: 2
        case .landed: 3
        }
    }
}
