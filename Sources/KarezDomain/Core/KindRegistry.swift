import KarezProtocol
import Synchronization

/// The kinds Karez knows: the shipped ones (one line each below) and any a program registers.
public enum KindRegistry {
    /// The shipped kinds, each defined in its folder.
    public static let builtIn: [KindDescriptor] = [
        .news,
        .patient,
        .lead,
    ]

    private static let table = Mutex(Dictionary(uniqueKeysWithValues: builtIn.map { ($0.name, $0) }))

    /// Adds a kind (or replaces one registered earlier under its name). Register before the
    /// broker, workers or collector that should know it are made: they read the registry then.
    public static func register(_ kind: KindDescriptor) {
        table.withLock { $0[kind.name] = kind }
    }

    /// Every kind, by name.
    public static var all: [KindDescriptor] { table.withLock { $0.values.sorted { $0.name < $1.name } } }

    /// The kind named `name`, if known.
    public static subscript(_ name: String) -> KindDescriptor? { table.withLock { $0[name] } }

    /// Every kind's processor, by name.
    public static func standard() -> [String: any KindProcessor] {
        table.withLock { $0.mapValues(\.processor) }
    }

    /// Names of the kinds, sorted.
    public static var kindNames: [String] { all.map(\.name) }

    /// Names of the kinds that can be generated (`karez gen`, the benchmarks), sorted.
    public static var generatedKindNames: [String] { all.filter { $0.generate != nil }.map(\.name) }

    /// The report sections of every kind, in the order of the kinds' names.
    public static var reportSections: [ReportSection] { all.flatMap(\.report) }

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
}
