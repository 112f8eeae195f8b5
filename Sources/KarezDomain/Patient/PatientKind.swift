extension KindDescriptor {
    /// The patient kind: PatientProcessor validates, enriches and redacts; SyntheticPatients makes synthetic
    /// items. Its figures are the reference report's own patient section (KarezCollector's DomainReport).
    public static let patient = KindDescriptor(processor: PatientProcessor(), generate: { SyntheticPatients.generate(count: $0, seed: $1, $2) })
}
