import KarezProtocol

/// A patient body as it may be kept outside the journal (the store's rejected list, the
/// broker's dead letters): the person's name and ID replaced by the pseudonyms a stored record
/// carries, and the phone, sex and birth date left out, whatever else is wrong with the body.
enum PatientRedaction {
    /// Members of `patient` replaced by a pseudonym (with its domain), and those left out.
    static let pseudonymised = [("name", "name"), ("national_id", "national_id")]
    static let removed = ["phone", "sex", "birth_date"]

    /// The redacted body. Without a pseudonymiser (a broker without the key) the values become
    /// `"[redacted]"`. A body that is not a JSON object is withheld whole.
    static func redact(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        guard case .object(var root)? = try? JSONParser.parse(body) else {
            return JSONWriter.bytes(["withheld": .string("the body is not a JSON object (\(body.count) bytes); a patient body may hold personal data")])
        }
        switch root["patient"] {
        case .object(var person)?:
            for (member, domain) in pseudonymised {
                guard let value = person[member] else { continue }
                person[member] = .string(pseudonym(value, member: member, domain: domain, pseudonymizer))
            }
            for member in removed { person[member] = nil }
            root["patient"] = .object(person)
        case nil: break
        default: root["patient"] = "[redacted]"
        }
        return JSONWriter.bytes(.object(root))
    }

    /// The pseudonym a stored record would carry (the ID in its 18-character form when it reads
    /// as one), or `"[redacted]"`.
    private static func pseudonym(_ value: JSONValue, member: String, domain: String, _ pseudonymizer: Pseudonymizer?) -> String {
        guard let pseudonymizer, case .string(let text) = value else { return "[redacted]" }
        if member == "national_id", let id = ResidentID(text) { return pseudonymizer.pseudonym(id.normalized, domain: domain) }
        return pseudonymizer.pseudonym(text, domain: domain)
    }
}
