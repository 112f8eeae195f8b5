import KarezProtocol

/// The domain rules of a patient record beyond its schema. Every failure is a ``Violation``;
/// messages never quote personal data: no part of the ID, nor the check character that would
/// make it pass.
///
/// | path | code | rule |
/// |---|---|---|
/// | `/patient/national_id` | `checksum` | the check character is right (ISO 7064 MOD 11-2) |
/// | `/patient/national_id` | `format` | the embedded birth date exists |
/// | `/patient/national_id` | `unknown_region` | the division code's province exists |
/// | `/patient/birth_date` | `inconsistent` | equals the birth date in the ID |
/// | `/patient/sex` | `inconsistent` | equals the sex in the ID (17th digit odd: M) |
/// | `/patient/birth_date` | `date_future` | not after today |
/// | `/visit/date` | `date_future` | not after today |
/// | `/visit/date` | `inconsistent` | not before `birth_date` |
/// | `/visit/icd10/N` | `unknown_code` | the code lies in an ICD-10 chapter |
enum PatientRules {
    static let nationalIDPath = "/patient/national_id"

    /// Every violation of the domain rules; empty when the record passes.
    static func violations(_ patient: Patient, id: ResidentID?, today: CalendarDate) -> [Violation] {
        var out: [Violation] = []
        let person = patient.patient
        let visit = patient.visit
        if let id {
            if !id.isChecksumValid {
                out.append(Violation(path: nationalIDPath, code: "checksum",
                                     message: "the check character (18th) of national_id does not match its first 17 digits (ISO 7064 MOD 11-2)"))
            }
            if id.province == nil {
                out.append(Violation(path: nationalIDPath, code: "unknown_region",
                                     message: "the division code of national_id (digits 1-6) names no province of China"))
            }
            if let idBirth = id.birthDate {
                if idBirth != person.birthDate {
                    out.append(Violation(path: "/patient/birth_date", code: "inconsistent",
                                         message: "birth_date differs from the birth date encoded in national_id (digits 7-14)"))
                }
            } else {
                out.append(Violation(path: nationalIDPath, code: "format",
                                     message: "national_id encodes a birth date (digits 7-14) that does not exist"))
            }
            if id.sex != person.sex {
                out.append(Violation(path: "/patient/sex", code: "inconsistent",
                                     message: "sex differs from the sex encoded in national_id (17th digit: odd for M, even for F)"))
            }
        } else {
            // The schema admits only ID shapes ResidentID reads; kept so a change there cannot pass silently.
            out.append(Violation(path: nationalIDPath, code: "pattern", message: "national_id is not a resident ID"))
        }
        if person.birthDate > today {
            out.append(Violation(path: "/patient/birth_date", code: "date_future", message: "birth_date is after today (\(today))"))
        }
        if visit.date > today {
            out.append(Violation(path: "/visit/date", code: "date_future", message: "visit date is after today (\(today))"))
        }
        if visit.date < person.birthDate {
            out.append(Violation(path: "/visit/date", code: "inconsistent", message: "visit date is before birth_date"))
        }
        for (i, code) in visit.icd10.enumerated() where ICD10.chapter(of: code) == nil {
            out.append(Violation(path: "/visit/icd10/\(i)", code: "unknown_code",
                                 message: "ICD-10 category \(code.prefix(3)) lies in no chapter (A00-B99 ... Z00-Z99, U00-U85)"))
        }
        return out
    }
}
