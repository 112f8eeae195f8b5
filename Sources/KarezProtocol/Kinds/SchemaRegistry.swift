/// Every schema proto-json defines, by name, with the Swift type that implements it.
public enum SchemaRegistry {
    /// The schema names: the files `proto-json/schemas/<name>.schema.json`.
    public static let names = ["news", "patient", "lead", "error", "hello", "welcome", "pong", "metrics", "options", "control"]

    /// Checks `json` against the named schema; nil when no such schema exists.
    public static func violations(of json: JSONValue, schema: String) -> [Violation]? {
        switch schema {
        case News.schemaName: check(News.self, json)
        case Patient.schemaName: check(Patient.self, json)
        case Lead.schemaName: check(Lead.self, json)
        case ErrorBodySchema.schemaName: check(ErrorBodySchema.self, json)
        case Hello.schemaName: check(Hello.self, json)
        case Welcome.schemaName: check(Welcome.self, json)
        case Pong.schemaName: check(Pong.self, json)
        case MetricsSnapshot.schemaName: check(MetricsSnapshot.self, json)
        case ItemOptions.schemaName: check(ItemOptions.self, json)
        case ControlRequest.schemaName: check(ControlRequest.self, json)
        default: nil
        }
    }

    private static func check<T: SchemaBody>(_ type: T.Type, _ json: JSONValue) -> [Violation] {
        var checker = SchemaChecker()
        _ = T.decode(json, checker: &checker)
        return checker.violations
    }
}
