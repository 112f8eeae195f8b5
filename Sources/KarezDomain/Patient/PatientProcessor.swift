import KarezProtocol

/// Validates patient records, pseudonymises them and enriches them.
///
/// 1. The schema (`Patient.decode`), then the domain rules of ``PatientRules`` (check character,
///    ID against birth date and sex, province, dates, ICD-10 chapters); every failure is reported.
/// 2. The stored body is the original with `patient.name` and `patient.national_id` replaced by
///    keyed pseudonyms (domains `name` and `national_id`; the ID is normalised to 18 characters
///    first, so a 15-digit or lower-case-x ID gives the same pseudonym as its 18-character form)
///    and `patient.phone` removed. Nothing else changes.
/// 3. The enrichment is described in ``PatientEnrichment``.
/// 4. One fact: `patient_visits{kind, facility, department}` = 1.
public struct PatientProcessor: KindProcessor {
    /// `"patient"`.
    public let kind = Patient.schemaName
    /// The processor; it holds no state.
    public init() {}

    /// Checks the body (schema, then domain rules) and builds the record to store; see the type's
    /// documentation for what is checked, stored and counted.
    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let patient: Patient
        switch Patient.decode(body) {
        case .success(let p): patient = p
        case .failure(let error): return .failure(error)
        }
        let id = ResidentID(patient.patient.nationalID)
        let violations = PatientRules.violations(patient, id: id, today: context.today)
        guard violations.isEmpty, let id else { return .failure(ErrorBody(errors: violations)) }
        context.stageMarks?.validated()

        let idPseudonym = context.pseudonymizer.pseudonym(id.normalized, domain: "national_id")
        let namePseudonym = context.pseudonymizer.pseudonym(patient.patient.name, domain: "name")
        let stored = Self.pseudonymized(body, name: namePseudonym, nationalID: idPseudonym)
        let enrichment = PatientEnrichment.json(patient, id: id, pseudonym: idPseudonym)
        let visit = patient.visit
        let fact = DomainFact("patient_visits", ["kind": visit.kind.rawValue, "facility": visit.facility,
                                                 "department": visit.department], 1)
        return .success(ProcessedItem(id: patient.id, kind: kind, body: stored, enrichment: enrichment, facts: [fact]))
    }

    /// `body` with the person's name and ID replaced by pseudonyms and the phone number removed.
    static func pseudonymized(_ body: JSONValue, name: String, nationalID: String) -> JSONValue {
        guard case .object(var root) = body, case .object(var person)? = root["patient"] else { return body }
        person["name"] = .string(name)
        person["national_id"] = .string(nationalID)
        person["phone"] = nil
        root["patient"] = .object(person)
        return .object(root)
    }
}
