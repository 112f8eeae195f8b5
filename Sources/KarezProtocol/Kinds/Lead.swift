/// An investment lead (kind `lead`): a company, an amount and how far the deal has come.
public struct Lead: SchemaBody, Equatable {
    public static let schemaName = "lead"

    /// How far a lead has come, in order.
    public enum Stage: String, Sendable, CaseIterable, Comparable {
        case contacted, agreementSigned = "agreement_signed", landed
        public static func < (a: Stage, b: Stage) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    /// Units of a structured amount.
    public enum AmountUnit: String, Sendable, CaseIterable {
        case yuan = "元", wanYuan = "万元", yiYuan = "亿元"
        /// Yuan per unit.
        public var multiplier: Double {
            switch self {
            case .yuan: 1
            case .wanYuan: 10_000
            case .yiYuan: 100_000_000
            }
        }
    }

    /// An amount as written ("1.5亿元") or as a value and unit.
    public enum Amount: Sendable, Equatable {
        case text(String)
        case value(Double, AmountUnit)
    }

    public struct Company: Sendable, Equatable {
        public var name: String
        public var creditCode: String
    }

    public struct Contact: Sendable, Equatable {
        public var name: String
        public var title: String?
        public var phone: String?
    }

    public var id: String
    public var company: Company
    public var sector: String
    public var amount: Amount
    public var stage: Stage
    public var sourceEvent: String?
    public var contact: Contact?
    public var date: CalendarDate?

    public static func decode(_ json: JSONValue, checker c: inout SchemaChecker) -> Lead? {
        c.quotesValues = false  // a contact's name and phone are personal data
        guard let o = c.object(json, at: "") else { return nil }
        c.members(o, at: "", required: ["id", "company", "sector", "amount", "stage"],
                  optional: ["kind", "source_event", "contact", "date"])
        c.constant(o, "kind", at: "", schemaName)
        let id = ItemID.check(o, &c)
        let company = c.nested(o, "company", at: "") { c, o, p -> Company? in
            c.members(o, at: p, required: ["name", "credit_code"], optional: [])
            let name = c.string(o, "name", at: p, max: 200)
            let code = c.string(o, "credit_code", at: p, max: .max, pattern: Patterns.isCreditCodeShape,
                                patternHint: "a unified social credit code: 18 characters of 0-9 and A-Y without I, O, S, V, Z")
            guard let name, let code else { return nil }
            return Company(name: name, creditCode: code)
        }
        let sector = c.string(o, "sector", at: "", max: 100)
        let amount = decodeAmount(o["amount"], &c)
        let stage = c.oneOf(o, "stage", at: "", Stage.allCases.map(\.rawValue)).flatMap(Stage.init(rawValue:))
        let event = c.string(o, "source_event", at: "", max: 200)
        let contact = c.nested(o, "contact", at: "") { c, o, p -> Contact? in
            c.members(o, at: p, required: ["name"], optional: ["title", "phone"])
            let name = c.string(o, "name", at: p, max: 100)
            let title = c.string(o, "title", at: p, max: 100)
            let phone = c.string(o, "phone", at: p, max: .max, pattern: Patterns.isPhone, patternHint: Patient.phoneHint, personal: true)
            return name.map { Contact(name: $0, title: title, phone: phone) }
        }
        let date = c.date(o, "date", at: "")
        guard c.isValid, let id, let company, let sector, let amount, let stage else { return nil }
        return Lead(id: id, company: company, sector: sector, amount: amount, stage: stage, sourceEvent: event,
                    contact: contact, date: date)
    }

    static func decodeAmount(_ value: JSONValue?, _ c: inout SchemaChecker) -> Amount? {
        guard let value else { return nil }
        switch value {
        case .string(let s):
            guard Patterns.isAmountText(s) else {
                c.fail("/amount", "pattern", "\"\(s)\" is not an amount such as \"1.5亿元\", \"3200万元\" or \"5,000元\"")
                return nil
            }
            return .text(s)
        case .object(let o):
            c.members(o, at: "/amount", required: ["value", "unit"], optional: [])
            let v = c.number(o, "value", at: "/amount", exclusiveMinimum: 0)
            let unit = c.oneOf(o, "unit", at: "/amount", AmountUnit.allCases.map(\.rawValue)).flatMap(AmountUnit.init(rawValue:))
            guard let v, let unit else { return nil }
            return .value(v, unit)
        default:
            c.fail("/amount", "type", "must be a string such as \"1.5亿元\" or an object {value, unit}, got \(value.typeName)")
            return nil
        }
    }
}
