import KarezProtocol

/// The kinds Karez knows. Adding a kind: a folder with its ``KindProcessor`` and one line here.
public enum KindRegistry {
    /// Every shipped kind's processor, by name.
    public static func standard() -> [String: any KindProcessor] {
        let processors: [any KindProcessor] = [
            NewsProcessor(),
            PatientProcessor(),
            LeadProcessor(),
        ]
        return Dictionary(uniqueKeysWithValues: processors.map { ($0.kind, $0) })
    }

    /// Names of the shipped kinds, sorted.
    public static var kindNames: [String] { standard().keys.sorted() }
}
