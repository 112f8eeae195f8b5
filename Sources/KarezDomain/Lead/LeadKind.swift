extension KindDescriptor {
    /// The lead kind: LeadProcessor validates, enriches and redacts; SyntheticLeads makes synthetic
    /// items. Its figures are the reference report's own lead section (KarezCollector's DomainReport).
    public static let lead = KindDescriptor(processor: LeadProcessor(), generate: { SyntheticLeads.generate(count: $0, seed: $1, $2) })
}
