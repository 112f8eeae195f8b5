import KarezProtocol

/// The `enrichment` object of a stored lead:
///
/// ```json
/// {"amount_cny": 150000000, "amount_approximate": false,
///  "region": {"code": "650402", "province": "新疆维吾尔自治区", "prefecture": "吐鲁番市"},
///  "sector_class": "energy", "stage_rank": 3, "score": 0.938}
/// ```
///
/// - `amount_cny`: the amount in yuan (`"1.5亿元"` → 150000000, `{"value": 3200, "unit": "万元"}` →
///   32000000); `amount_approximate`: the text said 约, 近, 多, 余 and the like (``AmountText``).
/// - `region`: from the credit code's division code (characters 3–8), with the prefecture when
///   known; absent for national registrations (`100000`).
/// - `sector_class`: ``SectorClass`` of `sector`.
/// - `stage_rank`: contacted 1, agreement_signed 2, landed 3.
/// - `score`: ``LeadScore``.
enum LeadEnrichment {
    /// Writes the enrichment object of a lead that passed every rule.
    static func write(_ lead: Lead, division: String, region: (province: Place, prefecture: Place?)?,
                      amount: (value: Double, approximate: Bool), sector: SectorClass, today: CalendarDate,
                      into out: inout JSONByteSink) {
        out.writeMember("{\"amount_cny\":", number: amount.value)
        out.append(amount.approximate ? ",\"amount_approximate\":true" : ",\"amount_approximate\":false")
        if let region {
            out.append(",\"region\":")
            RegionJSON.write(division: division, region: region, into: &out)
        }
        out.writeMember(",\"sector_class\":", sector.rawValue)
        out.writeMember(",\"stage_rank\":", number: Double(LeadStageRank.rank(lead.stage)))
        out.writeMember(",\"score\":", number: LeadScore.score(lead, amountCNY: amount.value, today: today))
        out.append(UInt8(ascii: "}"))
    }
}
