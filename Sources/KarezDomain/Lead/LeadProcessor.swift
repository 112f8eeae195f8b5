import KarezProtocol

/// Validates, enriches and scores investment leads.
///
/// 1. The schema (`Lead.decode`), then the domain rules of ``LeadRules`` (credit code and its
///    embedded organisation code, registration authority, region, amount, date); every failure
///    is reported.
/// 2. The stored body is the original (a lead holds no personal data beyond a business contact).
/// 3. The enrichment is described in ``LeadEnrichment``.
/// 4. Facts, so that a report of how far leads came is a sum:
///    - `leads_reached{stage}` = 1 for every stage up to and including the lead's (a landed lead
///      counts in `contacted`, `agreement_signed` and `landed`);
///    - `lead_amount_cny{stage}` = the amount in yuan, for the lead's own stage;
///    - `leads{sector_class}` = 1.
public struct LeadProcessor: KindProcessor {
    /// `"lead"`.
    public let kind = Lead.schemaName
    /// The processor; it holds no state.
    public init() {}

    /// Checks the body (schema, then domain rules) and builds the record to store; see the type's
    /// documentation for what is checked, stored and counted.
    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let lead: Lead
        switch Lead.decode(body) {
        case .success(let l): lead = l
        case .failure(let error): return .failure(error)
        }
        let code = CreditCode(lead.company.creditCode)
        let amount = LeadRules.amount(lead.amount)
        let region = code?.region
        let violations = LeadRules.violations(lead, code: code, region: region, amount: amount, today: context.today)
        guard violations.isEmpty, let code, let amount else { return .failure(ErrorBody(errors: violations)) }
        context.stageMarks?.validated()

        let sector = SectorClass.classify(lead.sector)
        let enrichment = LeadEnrichment.json(lead, division: code.divisionCode, region: region, amount: amount, sector: sector,
                                             today: context.today)
        var facts: [DomainFact] = []
        facts.reserveCapacity(Lead.Stage.allCases.count + 2)
        for stage in Lead.Stage.allCases where LeadStageRank.rank(stage) <= LeadStageRank.rank(lead.stage) {
            facts.append(DomainFact("leads_reached", ["stage": stage.rawValue], 1))
        }
        facts.append(DomainFact("lead_amount_cny", ["stage": lead.stage.rawValue], amount.value))
        facts.append(DomainFact("leads", ["sector_class": sector.rawValue], 1))
        return .success(ProcessedItem(id: lead.id, kind: kind, body: body, enrichment: enrichment, facts: facts))
    }
}
