import KarezProtocol

extension LeadProcessor {
    /// A lead keeps the members of the lead schema; its contact's name and phone become
    /// pseudonyms (domains `contact_name` and `phone`).
    public func redacted(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        guard let o = BodyRedaction.object(body) else { return BodyRedaction.withheld(body, "the body is not a JSON object") }
        var out = BodyRedaction.keeping(["id", "kind", "company", "sector", "amount", "stage", "source_event", "date"], of: o)
        if let contact = o["contact"] {
            var kept = JSONObject()
            if let person = contact.objectValue {
                if let name = person["name"] { kept["name"] = BodyRedaction.pseudonym(name, domain: "contact_name", pseudonymizer) }
                if let title = person["title"] { kept["title"] = title }
                if let phone = person["phone"] { kept["phone"] = BodyRedaction.pseudonym(phone, domain: "phone", pseudonymizer) }
            }
            out["contact"] = contact.objectValue == nil ? "[redacted]" : .object(kept)
        }
        return JSONWriter.bytes(.object(out))
    }
}
