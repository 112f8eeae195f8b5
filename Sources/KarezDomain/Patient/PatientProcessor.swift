import KarezProtocol

/// Validates patient records, pseudonymises them and enriches them.
///
/// 1. The schema (`Patient.decode`), then the domain rules of ``PatientRules`` (check character,
///    ID against birth date and sex, province, dates, ICD-10 chapters); every failure is reported.
/// 2. The stored body is the record with `patient.name` and `patient.national_id` replaced by
///    keyed pseudonyms (domains `name` and `national_id`; the ID is normalised to 18 characters
///    first, so a 15-digit or lower-case-x ID gives the same pseudonym as its 18-character form)
///    and `patient.phone` removed. Nothing else changes; members are written in the schema's
///    order, with `kind`.
/// 3. The enrichment is described in ``PatientEnrichment``.
/// 4. One fact: `patient_visits{kind, facility, department}` = 1.
///
/// Valid bodies are decoded straight from their bytes (`Patient.decodeValid(bytes:)`) and written
/// straight to JSON; the JSON tree is built only for bodies that fail, to say why.
public struct PatientProcessor: TypedKindProcessor {
    /// `"patient"`.
    public let kind = Patient.schemaName
    /// The processor; it holds no state.
    public init() {}

    /// Reads a valid body straight from its bytes (`Patient.decodeValid(bytes:)`).
    public func decodeValid(bytes: UnsafeRawBufferPointer) -> Patient? { Patient.decodeValid(bytes: bytes) }

    /// Checks the domain rules and builds the record to store; see the type's documentation for
    /// what is checked, stored and counted.
    public func process(decoded patient: Patient, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        let id = ResidentID(patient.patient.nationalID)
        let violations = PatientRules.violations(patient, id: id, today: context.today)
        guard violations.isEmpty, let id else { return .failure(ErrorBody(errors: violations)) }
        context.stageMarks?.validated()

        let idPseudonym = context.pseudonymizer.pseudonym(id.normalized, domain: "national_id")
        let namePseudonym = context.pseudonymizer.pseudonym(patient.patient.name, domain: "name")
        var out = JSONByteSink(capacity: 512)
        Self.writeStored(patient, name: namePseudonym, nationalID: idPseudonym, into: &out)
        let body = out.bytes()
        out.removeAll()
        PatientEnrichment.write(patient, id: id, pseudonym: idPseudonym, into: &out)
        let visit = patient.visit
        let fact = DomainFact("patient_visits", ["kind": visit.kind.rawValue, "facility": visit.facility,
                                                 "department": visit.department], 1)
        return .success(ProcessedItem(id: patient.id, kind: kind, bodyJSON: body, enrichmentJSON: out.bytes(), facts: [fact]))
    }

    public func redacted(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        PatientRedaction.redact(body, pseudonymizer: pseudonymizer)
    }

    /// Writes the stored body: the record with the person's name and ID replaced by pseudonyms,
    /// and the phone number, sex and exact birth date left out (the enrichment keeps the age and
    /// its band, and the region).
    static func writeStored(_ p: Patient, name: String, nationalID: String, into out: inout JSONByteSink) {
        out.writeMember("{\"id\":", p.id)
        out.writeMember(",\"kind\":\"patient\",\"patient\":{\"name\":", name)
        out.writeMember(",\"national_id\":", nationalID)
        out.writeMember(",\"ethnicity\":", p.patient.ethnicity)
        let v = p.visit
        out.append("},\"visit\":{\"date\":")
        v.date.write(into: &out)
        out.writeMember(",\"facility\":", v.facility)
        out.writeMember(",\"department\":", v.department)
        out.writeMember(",\"kind\":", v.kind.rawValue)
        out.writeArray(",\"icd10\":[", v.icd10) { code, out in out.writeString(code) }
        out.writeMember(",\"physician\":", v.physician)
        if let cost = v.costCNY {
            out.writeMember(",\"cost_cny\":", number: cost)
        }
        out.append(UInt8(ascii: "}"))
        out.writeMember(",\"notes\":", p.notes)
        out.append(UInt8(ascii: "}"))
    }
}
