import KarezCollector
import KarezDomain
import KarezMetrics
import KarezProtocol
import Testing

@Suite("Domain report and Prometheus exposition")
struct ReportAndExpositionTests {
    /// Totals beyond 64-bit integers or Doubles (many huge amounts, a hostile snapshot) are
    /// reported, not trapped on.
    @Test func hugeTotalsAreReportedNotTrappedOn() {
        let facts = [DomainFact("patient_visits", ["kind": "outpatient", "facility": "f", "department": "d"], 8e18),
                     DomainFact("patient_visits", ["kind": "outpatient", "facility": "f", "department": "d"], 8e18),
                     DomainFact("news_stories", ["source": "s"], 8e18), DomainFact("news_stories", ["source": "s"], 8e18),
                     DomainFact("lead_amount_cny", ["stage": "landed"], 1e308), DomainFact("lead_amount_cny", ["stage": "landed"], 1e308),
                     DomainFact("news_amount_cny", ["source": "s"], 1e19)]
        let report = DomainReport(facts: facts, origin: "test")
        #expect(report.visitsByKind["outpatient"] == Int.max)
        #expect(!ReportText.render(report, markdown: false).isEmpty)
        #expect(!ReportText.render(report, markdown: true).isEmpty)
    }

    /// The reference data set, processed by the kinds' processors, adds up to the story's figures.
    @Test func referenceDataSetFactsGiveTheStorysFigures() throws {
        let processors = KindRegistry.standard()
        let context = ProcessingContext(pseudonymizer: Pseudonymizer.development)
        var facts: [DomainFact] = []
        for item in ReferenceDataSet.items() {
            guard let kind = item["kind"]?.stringValue, case .success(let processed) = processors[kind]!.process(item, context: context) else { continue }
            facts += processed.facts
        }
        let r = DomainReport(facts: facts, origin: "test")
        let regiment = try #require(r.facilities.first { $0.name == ReferenceFigures.regimentHospital })
        #expect(regiment.visits == ReferenceFigures.regimentHospitalVisits)
        #expect(regiment.checkups == ReferenceFigures.healthChecks)
        #expect(r.surgeries == ReferenceFigures.surgeries)
        #expect(r.leadsReached == ["contacted": 17, "agreement_signed": 4, "landed": 2])
        #expect(r.stories == ReferenceFigures.newsStories + 1)
        let text = ReportText.render(r, markdown: false)
        #expect(text.contains("enterprises contacted 17, agreements signed 4, projects landed 2"))
        #expect(ReportText.render(r, markdown: true).contains("| facility | visits |"))
    }

    @Test func expositionHasFamiliesHistogramsAndEscapedLabels() {
        var a = Aggregator()
        var m = MetricSet()
        m.add("items_done_total", ["kind": "news", "source": "say \"hi\"\\"], 3)
        m.observe(MetricKey("stage_seconds", ["stage": "store"]), seconds: 0.003)
        a.ingest(m.snapshot(source: .init(role: "worker", name: "w", incarnation: "i", host: "h", pid: 1), seq: 0,
                            time: "2024-01-10T01:30:00Z", uptimeSeconds: 1), now: 0)
        let text = PrometheusText.render(a, now: 0, domainFacts: [DomainFact("patient_visits", ["kind": "surgery"], 38)])
        #expect(text.contains("# TYPE karez_items_done_total counter\n"))
        #expect(text.contains(#"karez_items_done_total{kind="news",source="say \"hi\"\\"} 3"#))
        #expect(text.contains("# TYPE karez_stage_seconds histogram\n"))
        #expect(text.contains(#"karez_stage_seconds_bucket{stage="store",le="0.005"} 1"#))
        #expect(text.contains(#"karez_stage_seconds_bucket{stage="store",le="+Inf"} 1"#))
        #expect(text.contains(#"karez_domain_patient_visits_total{kind="surgery"} 38"#))
        #expect(text.contains(#"karez_process_up{instance="w",role="worker"} 1"#))
    }
}
