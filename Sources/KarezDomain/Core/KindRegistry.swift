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

    /// A redactor for bodies kept outside the journal (see ``KindProcessor/redacted(_:pseudonymizer:)``);
    /// an unknown kind's body is withheld whole.
    public static func redactor(pseudonymizer: Pseudonymizer?) -> @Sendable (_ kind: String, _ body: [UInt8]) -> [UInt8] {
        let processors = standard()
        return { kind, body in
            guard let processor = processors[kind] else {
                return JSONWriter.bytes(["withheld": .string("a body of unknown kind (\(body.count) bytes)")])
            }
            return processor.redacted(body, pseudonymizer: pseudonymizer)
        }
    }

    /// Names of the shipped kinds, sorted.
    public static var kindNames: [String] { standard().keys.sorted() }
}
