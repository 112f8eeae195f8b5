import Foundation
import KarezDomain
import KarezProtocol
import Testing

@Suite("Synthetic and reference data")
struct GenerateTests {
    let registry = KindRegistry.standard()

    func process(_ item: JSONValue) -> Result<ProcessedItem, ErrorBody> {
        let kind = item["kind"]?.stringValue ?? ""
        guard let processor = registry[kind] else { return .failure(ErrorBody(code: "unknown_kind", message: kind)) }
        return processor.process(item, context: PatientFixtures.context)
    }

    @Test("SplitMix64 matches the reference implementation and draws in range")
    func splitMix() {
        var r = SplitMix64(seed: 0)
        #expect(r.next() == 0xE220_A839_7B1D_CDAF)
        #expect(r.next() == 0x6E78_9E6A_A1B9_65F4)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[r.below(7)] += 1 }
        #expect(counts.allSatisfy { (9_000...11_000).contains($0) })
        for _ in 0..<1_000 {
            #expect((3...5).contains(r.int(3...5)))
            let u = r.unit()
            #expect(u >= 0 && u < 1)
        }
        #expect(r.shuffled(Array(0..<50)).sorted() == Array(0..<50))
    }

    @Test("generation is deterministic for a seed", arguments: KindRegistry.builtIn.map(\.name))
    func deterministic(_ kind: String) {
        let a = SyntheticData.items(kind, count: 200, seed: 7)
        #expect(a == SyntheticData.items(kind, count: 200, seed: 7))
        #expect(a != SyntheticData.items(kind, count: 200, seed: 8))
        #expect(a.count == 200)
        #expect(SyntheticData.items(kind, count: 0, seed: 7).isEmpty)
        #expect(Set(a.compactMap { $0["id"]?.stringValue }).count == 200)
        #expect(a.allSatisfy { $0["kind"]?.stringValue == kind })
    }

    @Test("every generated item passes validation and enrichment", arguments: KindRegistry.builtIn.map(\.name))
    func generatedItemsAreValid(_ kind: String) {
        var failures: [String] = []
        SyntheticData.generate(kind, count: 3_000, seed: 42) { item in
            if case .failure(let e) = process(item), failures.count < 5 {
                failures.append("\(item["id"]?.stringValue ?? "?"): \(e.errors)")
            }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    @Test("generated patients are plausible: IDs agree with sex and birth date, some legacy and lower-case IDs")
    func patientPlausibility() throws {
        let items = SyntheticData.items("patient", count: 5_000, seed: 1)
        var legacy = 0, lowercase = 0, kinds: Set<String> = [], facilities: Set<String> = []
        for item in items {
            let person = try #require(item["patient"])
            let id = try #require(person["national_id"]?.stringValue)
            if id.utf8.count == 15 { legacy += 1 }
            if id.hasSuffix("x") { lowercase += 1 }
            let parsed = try #require(ResidentID(id))
            #expect(parsed.sex.rawValue == person["sex"]?.stringValue)
            #expect(parsed.birthDate?.description == person["birth_date"]?.stringValue)
            kinds.insert(item["visit"]?["kind"]?.stringValue ?? "")
            facilities.insert(item["visit"]?["facility"]?.stringValue ?? "")
        }
        #expect(legacy > 0)
        #expect(lowercase > 0)
        #expect(kinds == Set(Patient.VisitKind.allCases.map(\.rawValue)))
        #expect(facilities.count == 6)
    }

    /// The shared corpus beside the repository (there on developer machines and in CI).
    static let corpus = PatientFixtures.protoJSON.deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("shared/corpus/news-yiyang-aid-221.txt")

    @Test("the reference story is the corpus file",
          .enabled(if: FileManager.default.fileExists(atPath: corpus.path), "the shared corpus is not beside this clone"))
    func referenceStory() throws {
        let text = try String(contentsOf: Self.corpus, encoding: .utf8)
        #expect(ReferenceStory.body == text.trimmingCharacters(in: .newlines))
    }

    @Test("the embedded reference story carries the figures")
    func referenceStoryFigures() {
        #expect(ReferenceStory.body.contains("一年累计接诊病人723例"))
        #expect(ReferenceStory.body.contains("共参与实施手术38例"))
    }

    @Test("the reference data set: deterministic, unique ids, the stated composition")
    func referenceComposition() throws {
        let items = ReferenceDataSet.items()
        #expect(items == ReferenceDataSet.items())
        #expect(items.count == ReferenceFigures.totalItems)
        let ids = items.compactMap { $0["id"]?.stringValue }
        #expect(Set(ids).count == items.count)
        #expect(items.allSatisfy { $0["kind"]?.stringValue != nil })
        #expect(items.first?["id"] == .string(ReferenceStory.id))
        #expect(items.first?["title"] == .string(ReferenceStory.title))
        #expect(ids.filter { $0.hasPrefix("bad-") }.count == ReferenceFigures.invalidItems)
        #expect(ids.filter { $0.hasPrefix("news-ref-") }.count == ReferenceFigures.newsStories)
        #expect(ids.contains("news-ref-001") && ids.contains("news-ref-104"))
        let outlets = Set(items.filter { ($0["id"]?.stringValue ?? "").hasPrefix("news-ref-") }.compactMap { $0["source"]?.stringValue })
        #expect(outlets == Set(ReferenceFigures.newsOutlets))
        let events = Set(items.filter { $0["kind"] == "lead" }.compactMap { $0["source_event"]?.stringValue })
        #expect(Set(ReferenceFigures.leadEvents).isSubset(of: events))
        let first = try #require(CalendarDate.parse(ReferenceFigures.firstDay))
        let last = try #require(CalendarDate.parse(ReferenceFigures.lastDay))
        for item in items where item["kind"] == "patient" && !(item["id"]?.stringValue ?? "").hasPrefix("bad-") {
            let date = try #require(item["visit"]?["date"]?.stringValue.flatMap(CalendarDate.parse))
            #expect(date >= first && date <= last)
        }
    }

    @Test("the reference data set processes to exactly the story's figures")
    func referenceFigures() throws {
        var totals: [String: Double] = [:]
        var valid = 0
        var refusals: [String: [String]] = [:]
        for item in ReferenceDataSet.items() {
            let id = item["id"]?.stringValue ?? ""
            switch process(item) {
            case .success(let processed):
                #expect(!id.hasPrefix("bad-"), "\(id) was accepted")
                valid += 1
                for fact in processed.facts {
                    let labels = fact.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
                    totals["\(fact.name){\(labels)}", default: 0] += fact.value
                }
            case .failure(let error):
                #expect(id.hasPrefix("bad-"), "\(id) refused: \(error.errors)")
                refusals[id] = error.errors.map { "\($0.path) \($0.code)" }
            }
        }
        #expect(valid == ReferenceFigures.totalItems - ReferenceFigures.invalidItems)
        #expect(refusals == [
            "bad-pt-national-id-check": ["/patient/national_id checksum"],
            "bad-lead-credit-code-check": ["/company/credit_code checksum"],
            "bad-pt-visit-date-future": ["/visit/date date_future"],
            "bad-news-missing-title": ["/title required"],
            "bad-pt-icd10-unknown-chapter": ["/visit/icd10/0 unknown_code"],
        ])

        func sum(_ name: String, where match: (String) -> Bool = { _ in true }) -> Double {
            totals.filter { $0.key.hasPrefix(name + "{") && match($0.key) }.values.reduce(0, +)
        }
        let regiment = "facility=\(ReferenceFigures.regimentHospital)"
        let regimentVisits = sum("patient_visits") { $0.contains(regiment) && ($0.contains("kind=outpatient") || $0.contains("kind=inpatient") || $0.contains("kind=consult")) }
        #expect(regimentVisits == Double(ReferenceFigures.regimentHospitalVisits))
        #expect(sum("patient_visits") { $0.contains(regiment) && $0.contains("kind=checkup") } == Double(ReferenceFigures.healthChecks))
        #expect(sum("patient_visits") { $0.contains("kind=checkup") } == Double(ReferenceFigures.healthChecks))
        let surgeries = sum("patient_visits") { $0.contains("kind=surgery") }
        #expect(surgeries == Double(ReferenceFigures.surgeries))
        #expect(sum("patient_visits") { $0.contains("kind=surgery") && ReferenceFigures.surgeryHospitals.contains(where: $0.contains) } == surgeries)
        #expect(sum("patient_visits") == Double(ReferenceFigures.regimentHospitalVisits + ReferenceFigures.healthChecks + ReferenceFigures.surgeries))
        #expect(totals["leads_reached{stage=contacted}"] == Double(ReferenceFigures.enterprisesContacted))
        #expect(totals["leads_reached{stage=agreement_signed}"] == Double(ReferenceFigures.agreementsSigned))
        #expect(totals["leads_reached{stage=landed}"] == Double(ReferenceFigures.projectsLanded))
        #expect(sum("leads") == Double(ReferenceFigures.enterprisesContacted))
    }
}
