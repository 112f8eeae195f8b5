import KarezProtocol

/// A patient body as it may be kept outside the journal (the store's rejected list, the
/// broker's dead letters), whatever is wrong with it. Only members the schema defines are kept,
/// and of those that take a fixed form (the visit's kind, date, codes and cost, the item's kind)
/// only values of that form: a field-shifted record may carry an ID or a phone anywhere. The
/// person's name and ID become the pseudonyms a stored record carries; the phone, sex and birth
/// date are left out.
enum PatientRedaction {
    static let keptInPatient: Set<String> = ["ethnicity"]
    static let keptInVisit: Set<String> = ["date", "facility", "department", "kind", "icd10", "physician", "cost_cny"]

    /// The redacted body. Without a pseudonymiser (a broker without the key) the name and ID
    /// become `"[redacted]"`. A body that is not a JSON object is withheld whole.
    static func redact(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        guard let root = BodyRedaction.object(body) else { return BodyRedaction.withheld(body, "the body is not a JSON object") }
        var out = JSONObject()
        for (key, value) in root.members {
            switch key {
            case "id": out[key] = BodyRedaction.checked(value) { $0.stringValue.map(Patterns.isItemID) ?? false }
            case "kind": out[key] = BodyRedaction.checked(value) { $0 == "patient" }
            case "notes": out[key] = value
            case "patient": out[key] = value.objectValue.map { .object(person($0, pseudonymizer)) } ?? "[redacted]"
            case "visit": out[key] = value.objectValue.map { .object(visit($0)) } ?? "[redacted]"
            default: continue
            }
        }
        return JSONWriter.bytes(.object(out))
    }

    /// The `patient` object with pseudonyms and the harmless members only.
    private static func person(_ person: JSONObject, _ pseudonymizer: Pseudonymizer?) -> JSONObject {
        var out = BodyRedaction.keeping(keptInPatient, of: person)
        if let name = person["name"] { out["name"] = BodyRedaction.pseudonym(name, domain: "name", pseudonymizer) }
        if let id = person["national_id"] {
            // The ID in its 18-character form when it reads as one, as in stored records.
            let normalized = id.stringValue.flatMap(ResidentID.init).map { JSONValue.string($0.normalized) } ?? id
            out["national_id"] = BodyRedaction.pseudonym(normalized, domain: "national_id", pseudonymizer)
        }
        return out
    }

    /// The `visit` object: free text as stored records keep it, fixed forms only when they hold.
    private static func visit(_ visit: JSONObject) -> JSONObject {
        var out = BodyRedaction.keeping(keptInVisit, of: visit)
        if let kind = out["kind"] { out["kind"] = BodyRedaction.checked(kind) { $0.stringValue.map(Patient.visitKinds.contains) ?? false } }
        if let date = out["date"] { out["date"] = BodyRedaction.checked(date) { $0.stringValue.flatMap(CalendarDate.parse) != nil } }
        if let cost = out["cost_cny"] { out["cost_cny"] = BodyRedaction.checked(cost) { $0.numberValue != nil } }
        if let codes = out["icd10"] {
            out["icd10"] = codes.arrayValue.map { .array($0.map { BodyRedaction.checked($0) { $0.stringValue.map(Patterns.isICD10) ?? false } }) } ?? "[redacted]"
        }
        return out
    }
}
