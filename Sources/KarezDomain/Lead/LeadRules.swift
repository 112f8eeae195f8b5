import KarezProtocol

/// The domain rules of an investment lead beyond its schema. Every failure is a ``Violation``.
///
/// | path | code | rule |
/// |---|---|---|
/// | `/company/credit_code` | `checksum` | the 18th character is right (GB 32100, MOD 31) |
/// | `/company/credit_code` | `checksum` | the organisation code inside (characters 9–17) has the right check character (GB 11714, MOD 11) |
/// | `/company/credit_code` | `unknown_code` | the registration authority and organisation type (characters 1–2) are assigned by GB 32100 |
/// | `/company/credit_code` | `unknown_region` | the division code (characters 3–8) names a province, or is `100000` (national registration) |
/// | `/amount` | `minimum` | the amount is more than 0 yuan |
/// | `/amount` | `maximum` | the amount is at most 10^15 yuan (larger ones overflow every total) |
/// | `/date` | `date_future` | not after today |
enum LeadRules {
    static let creditCodePath = "/company/credit_code"
    /// The division code of registrations at national level, which names no province.
    static let nationalDivisionCode = "100000"
    /// Most yuan a lead's amount may be: beyond any real investment, and far from overflowing.
    static let maxAmountCNY = 1e15

    /// The amount in yuan and whether it is approximate, for a lead that passed the schema.
    static func amount(_ amount: Lead.Amount) -> (value: Double, approximate: Bool)? {
        switch amount {
        case .text(let text): return AmountText.yuan(text)
        case .value(let v, let unit): return ((v * unit.multiplier * 100).rounded() / 100, false)
        }
    }

    /// Every violation of the domain rules; empty when the lead passes.
    static func violations(_ lead: Lead, code: CreditCode?, region: (province: Place, prefecture: Place?)?,
                           amount: (value: Double, approximate: Bool)?, today: CalendarDate) -> [Violation] {
        var out: [Violation] = []
        if let code {
            if !code.isChecksumValid {
                out.append(Violation(path: creditCodePath, code: "checksum",
                                     message: "the check character (18th) of credit_code is wrong: the first 17 characters call for \"\(code.expectedCheckCharacter)\", found \"\(code.checkCharacter)\""))
            }
            if !code.isOrganizationCodeValid {
                out.append(Violation(path: creditCodePath, code: "checksum",
                                     message: "the organisation code inside credit_code (characters 9-17, GB 11714) has a wrong check character: characters 9-16 call for \"\(code.expectedOrganizationCheckCharacter)\" as the 17th, found \"\(code.organizationCheckCharacter)\""))
            }
            if !code.isAuthorityAndTypeKnown {
                let pair = String(code.text.prefix(2))
                let detail = code.authority.map { "authority \($0.rawValue) (\($0.name)) assigns types \($0.types.map(String.init).joined(separator: ", "))" }
                    ?? "the authority (1st character) must be one of \(RegistrationAuthority.allCases.map { String($0.rawValue) }.joined(separator: " "))"
                out.append(Violation(path: creditCodePath, code: "unknown_code",
                                     message: "registration authority and organisation type \"\(pair)\" are not assigned by GB 32100: \(detail)"))
            }
            if region == nil && code.divisionCode != nationalDivisionCode {
                out.append(Violation(path: creditCodePath, code: "unknown_region",
                                     message: "the division code \(code.divisionCode) (characters 3-8 of credit_code) names no province of China"))
            }
        } else {
            // The schema admits only shapes CreditCode reads; kept so a change there cannot pass silently.
            out.append(Violation(path: creditCodePath, code: "pattern", message: "credit_code is not a unified social credit code"))
        }
        if let amount {
            if !(amount.value > 0) {
                out.append(Violation(path: "/amount", code: "minimum", message: "the amount must be more than 0 yuan"))
            } else if !(amount.value <= maxAmountCNY) {
                out.append(Violation(path: "/amount", code: "maximum", message: "the amount must be at most 10^15 yuan"))
            }
        } else {
            out.append(Violation(path: "/amount", code: "pattern", message: "the amount cannot be read as yuan"))
        }
        if let date = lead.date, date > today {
            out.append(Violation(path: "/date", code: "date_future", message: "date \(date) is after today (\(today))"))
        }
        return out
    }
}
