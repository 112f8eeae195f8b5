extension Lead {
    /// Decodes a body straight from its JSON bytes, without a JSON tree, when it is valid against
    /// the schema; nil otherwise (or for JSON this path leaves to the parser: escaped member
    /// names, repeated members), and ``decode(_:)`` over the parsed tree then gives the verdict
    /// with every violation. A value this returns is the value the tree path returns for the same
    /// bytes (the tests compare both on valid and broken leads).
    public static func decodeValid(bytes: UnsafeRawBufferPointer) -> Lead? {
        var r = JSONReader(bytes)
        guard r.beginObject() else { return nil }
        var id: String?, company: Company?, sector: String?, amount: Amount?, stage: Stage?
        var event: String?, contact: Contact?, date: CalendarDate?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard r.atEnd(), let id, let company, let sector, let amount, let stage else { return nil }
                return Lead(id: id, company: company, sector: sector, amount: amount, stage: stage, sourceEvent: event,
                            contact: contact, date: date)
            }
            if key.equals("id") {
                guard seen.insert(0), let s = r.itemID() else { return nil }
                id = s
            } else if key.equals("kind") {
                guard seen.insert(1), r.string() == schemaName else { return nil }
            } else if key.equals("company") {
                guard seen.insert(2), let c = decodeCompany(&r) else { return nil }
                company = c
            } else if key.equals("sector") {
                guard seen.insert(3), let s = r.string(max: 100) else { return nil }
                sector = s
            } else if key.equals("amount") {
                guard seen.insert(4), let a = decodeAmount(&r) else { return nil }
                amount = a
            } else if key.equals("stage") {
                guard seen.insert(5), let s = r.string(), let v = Stage(rawValue: s) else { return nil }
                stage = v
            } else if key.equals("source_event") {
                guard seen.insert(6), let s = r.string(max: 200) else { return nil }
                event = s
            } else if key.equals("contact") {
                guard seen.insert(7), let c = decodeContact(&r) else { return nil }
                contact = c
            } else if key.equals("date") {
                guard seen.insert(8), let s = r.string(), let d = CalendarDate.parse(s) else { return nil }
                date = d
            } else {
                return nil
            }
        }
        return nil
    }

    private static func decodeCompany(_ r: inout JSONReader) -> Company? {
        guard r.beginObject() else { return nil }
        var name: String?, code: String?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard let name, let code else { return nil }
                return Company(name: name, creditCode: code)
            }
            if key.equals("name") {
                guard seen.insert(0), let s = r.string(max: 200) else { return nil }
                name = s
            } else if key.equals("credit_code") {
                guard seen.insert(1), let s = r.string(), !s.isEmpty, Patterns.isCreditCodeShape(s) else { return nil }
                code = s
            } else {
                return nil
            }
        }
        return nil
    }

    /// `amount`: a text such as `"1.5亿元"`, or `{"value": 3200, "unit": "万元"}`.
    private static func decodeAmount(_ r: inout JSONReader) -> Amount? {
        if let text = r.string() { return Patterns.isAmountText(text) ? .text(text) : nil }
        guard r.beginObject() else { return nil }
        var value: Double?, unit: AmountUnit?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard let value, let unit else { return nil }
                return .value(value, unit)
            }
            if key.equals("value") {
                guard seen.insert(0), let n = r.number(), n > 0 else { return nil }
                value = n
            } else if key.equals("unit") {
                guard seen.insert(1), let s = r.string(), let u = AmountUnit(rawValue: s) else { return nil }
                unit = u
            } else {
                return nil
            }
        }
        return nil
    }

    private static func decodeContact(_ r: inout JSONReader) -> Contact? {
        guard r.beginObject() else { return nil }
        var name: String?, title: String?, phone: String?
        var seen = MemberSet(), first = true
        while let member = r.nextMember(first: &first) {
            guard case .name(let key) = member else {
                guard let name else { return nil }
                return Contact(name: name, title: title, phone: phone)
            }
            if key.equals("name") {
                guard seen.insert(0), let s = r.string(max: 100) else { return nil }
                name = s
            } else if key.equals("title") {
                guard seen.insert(1), let s = r.string(max: 100) else { return nil }
                title = s
            } else if key.equals("phone") {
                guard seen.insert(2), let s = r.string(), !s.isEmpty, Patterns.isPhone(s) else { return nil }
                phone = s
            } else {
                return nil
            }
        }
        return nil
    }
}
