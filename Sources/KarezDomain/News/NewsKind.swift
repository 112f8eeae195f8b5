extension KindDescriptor {
    /// The news kind: NewsProcessor validates, enriches and redacts; SyntheticNews makes synthetic
    /// items. Its figures are the reference report's own news section (KarezCollector's DomainReport).
    public static let news = KindDescriptor(processor: NewsProcessor(), generate: { SyntheticNews.generate(count: $0, seed: $1, $2) })
}
