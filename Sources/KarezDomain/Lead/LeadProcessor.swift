import KarezProtocol

/// Validates, enriches and scores investment leads.
///
/// 1. The schema (`Lead.decode`), then the domain rules of ``LeadRules`` (credit code and its
///    embedded organisation code, registration authority, region, amount, date); every failure
///    is reported.
/// 2. The stored body is the lead as published (it holds no personal data beyond a business
///    contact), written compactly with its members in the schema's order, with `kind`.
/// 3. The enrichment is described in ``LeadEnrichment``.
/// 4. Facts, so that a report of how far leads came is a sum:
///    - `leads_reached{stage}` = 1 for every stage up to and including the lead's (a landed lead
///      counts in `contacted`, `agreement_signed` and `landed`);
///    - `lead_amount_cny{stage}` = the amount in yuan, for the lead's own stage;
///    - `leads{sector_class}` = 1.
///
/// Valid leads are decoded straight from their bytes (`Lead.decodeValid(bytes:)`) and written
/// straight to JSON; the JSON tree is built only for leads that fail, to say why.
public struct LeadProcessor: TypedKindProcessor {
    /// `"lead"`.
    public let kind = Lead.schemaName
    /// The processor; it holds no state.
    public init() {}

    /// Reads a valid body straight from its bytes (`Lead.decodeValid(bytes:)`).
    public func decodeValid(bytes: UnsafeRawBufferPointer) -> Lead? { Lead.decodeValid(bytes: bytes) }

    /// Checks the domain rules and builds the record to store; see the type's documentation for
    /// what is checked, stored and counted.
    public func process(decoded lead: Lead, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let code = CreditCode(lead.company.creditCode)
        let amount = LeadRules.amount(lead.amount)
        let region = code?.region
        let violations = LeadRules.violations(lead, code: code, region: region, amount: amount, today: context.today)
        guard violations.isEmpty, let code, let amount else { return .failure(ErrorBody(errors: violations)) }
        context.stageMarks?.validated()

        let sector = SectorClass.classify(lead.sector)
        var out = JSONByteSink(capacity: 512)
        Self.writeStored(lead, into: &out)
        let body = out.bytes()
        out.removeAll()
        LeadEnrichment.write(lead, division: code.divisionCode, region: region, amount: amount, sector: sector,
                             today: context.today, into: &out)
        var facts: [DomainFact] = []
        facts.reserveCapacity(Lead.Stage.allCases.count + 2)
        for (index, stage) in Lead.Stage.allCases.enumerated() where LeadStageRank.rank(stage) <= LeadStageRank.rank(lead.stage) {
            facts.append(Self.reachedFacts[index])
        }
        facts.append(DomainFact("lead_amount_cny", Self.stageLabels[lead.stage]!, amount.value))
        facts.append(Self.sectorFacts[sector]!)
        return .success(ProcessedItem(id: lead.id, kind: kind, bodyJSON: body, enrichmentJSON: out.bytes(), facts: facts))
    }

    // Facts and labels that depend only on a stage or a sector class, built once and shared by
    // every lead's facts instead of a label dictionary built per fact per lead.
    /// The `leads_reached` fact of each stage, in `Lead.Stage.allCases` order.
    private static let reachedFacts = Lead.Stage.allCases.map { DomainFact("leads_reached", ["stage": $0.rawValue], 1) }
    /// The labels of a stage's `lead_amount_cny` fact.
    private static let stageLabels = Dictionary(uniqueKeysWithValues: Lead.Stage.allCases.map { ($0, ["stage": $0.rawValue]) })
    /// The `leads` fact of each sector class.
    private static let sectorFacts = Dictionary(uniqueKeysWithValues: SectorClass.allCases.map {
        ($0, DomainFact("leads", ["sector_class": $0.rawValue], 1))
    })

    /// Writes the stored body: the lead's members in the schema's order.
    static func writeStored(_ lead: Lead, into out: inout JSONByteSink) {
        out.writeMember("{\"id\":", lead.id)
        out.writeMember(",\"kind\":\"lead\",\"company\":{\"name\":", lead.company.name)
        out.writeMember(",\"credit_code\":", lead.company.creditCode)
        out.writeMember("},\"sector\":", lead.sector)
        out.append(",\"amount\":")
        switch lead.amount {
        case .text(let text): out.writeString(text)
        case .value(let value, let unit):
            out.writeMember("{\"value\":", number: value)
            out.writeMember(",\"unit\":", unit.rawValue)
            out.append(UInt8(ascii: "}"))
        }
        out.writeMember(",\"stage\":", lead.stage.rawValue)
        out.writeMember(",\"source_event\":", lead.sourceEvent)
        if let contact = lead.contact {
            out.writeMember(",\"contact\":{\"name\":", contact.name)
            out.writeMember(",\"title\":", contact.title)
            out.writeMember(",\"phone\":", contact.phone)
            out.append(UInt8(ascii: "}"))
        }
        if let date = lead.date {
            out.append(",\"date\":")
            date.write(into: &out)
        }
        out.append(UInt8(ascii: "}"))
    }
}
