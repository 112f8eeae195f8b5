import KarezProtocol

/// A patient body as it may be kept outside the journal (the store's rejected list, the
/// broker's dead letters), whatever is wrong with it. Only members known to carry no personal
/// data are kept: the person's name and ID become the pseudonyms a stored record carries, and
/// everything else about the person (phone, sex, birth date, any member the schema does not
/// know) is left out, at the top level as inside `patient` and `visit`.
enum PatientRedaction {
    /// Members of `patient` replaced by a pseudonym (with its domain).
    static let pseudonymised = [("name", "name"), ("national_id", "national_id")]
    /// Members kept as they are, per object.
    static let keptAtTop: Set<String> = ["id", "kind", "visit", "notes"]
    static let keptInPatient: Set<String> = ["ethnicity"]
    static let keptInVisit: Set<String> = ["date", "facility", "department", "kind", "icd10", "physician", "cost_cny"]

    /// The redacted body. Without a pseudonymiser (a broker without the key) the name and ID
    /// become `"[redacted]"`. A body that is not a JSON object is withheld whole.
    static func redact(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        guard case .object(let root)? = try? JSONParser.parse(body) else {
            return JSONWriter.bytes(["withheld": .string("the body is not a JSON object (\(body.count) bytes); a patient body may hold personal data")])
        }
        var out = JSONObject()
        for (key, value) in root.members {
            switch key {
            case "patient": out[key] = value.objectValue.map { .object(person($0, pseudonymizer)) } ?? "[redacted]"
            case "visit": out[key] = value.objectValue.map { .object(keeping(keptInVisit, of: $0)) } ?? "[redacted]"
            case _ where keptAtTop.contains(key): out[key] = value
            default: continue
            }
        }
        return JSONWriter.bytes(.object(out))
    }

    /// The `patient` object with pseudonyms and the harmless members only.
    private static func person(_ person: JSONObject, _ pseudonymizer: Pseudonymizer?) -> JSONObject {
        var out = keeping(keptInPatient, of: person)
        for (member, domain) in pseudonymised {
            guard let value = person[member] else { continue }
            out[member] = .string(pseudonym(value, member: member, domain: domain, pseudonymizer))
        }
        return out
    }

    private static func keeping(_ names: Set<String>, of object: JSONObject) -> JSONObject {
        JSONObject(uniqueKeysWithValues: object.members.filter { names.contains($0.key) })
    }

    /// The pseudonym a stored record would carry (the ID in its 18-character form when it reads
    /// as one), or `"[redacted]"`.
    private static func pseudonym(_ value: JSONValue, member: String, domain: String, _ pseudonymizer: Pseudonymizer?) -> String {
        guard let pseudonymizer, case .string(let text) = value else { return "[redacted]" }
        if member == "national_id", let id = ResidentID(text) { return pseudonymizer.pseudonym(id.normalized, domain: domain) }
        return pseudonymizer.pseudonym(text, domain: domain)
    }
}
