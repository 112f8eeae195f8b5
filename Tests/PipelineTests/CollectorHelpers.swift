import Foundation
import KarezDomain
import KarezProtocol

/// GET over HTTP with curl-free Foundation; returns the body.
func httpGet(_ url: String) async throws -> String {
    let (status, out) = try await runToEnd("/usr/bin/env", ["python3", "-c",
        "import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())", url],
                                           timeout: .seconds(30))
    guard status == 0 else { throw PipelineTestError("GET \(url) failed: \(out)") }
    return out
}

/// The collector's `/api/summary`, parsed.
func summary(_ base: String) async throws -> JSONValue { try JSONParser.parse(Array(try await httpGet(base + "api/summary").utf8)) }

/// Waits until the collector's summary satisfies `ok`.
func waitSummary(_ base: String, timeout: Duration = .seconds(60), _ ok: (JSONValue) -> Bool) async throws -> JSONValue {
    let deadline = ContinuousClock.now + timeout
    var last: JSONValue = .null
    while ContinuousClock.now < deadline {
        last = try await summary(base)
        if ok(last) { return last }
        try await Task.sleep(for: .milliseconds(300))
    }
    throw PipelineTestError("the collector's summary never got there; last:\n\(JSONWriter.string(last))")
}

/// One sample as Python's prometheus_client parser read it.
struct ScrapedSample {
    var family: String, type: String, name: String
    var labels: [String: String]
    var value: Double
}

/// Scrapes `/metrics` through scripts/prometheus-scrape.py (prometheus_client's parser).
func scrape(_ base: String) async throws -> [ScrapedSample] {
    let script = repoRoot.appendingPathComponent("scripts/prometheus-scrape.py").path
    let (status, out) = try await runToEnd("/usr/bin/env", ["python3", script, base + "metrics"], timeout: .seconds(60))
    guard status == 0 else { throw PipelineTestError("prometheus_client refused the exposition: \(out)") }
    return try out.split(separator: "\n").map { line in
        let j = try JSONParser.parse(Array(line.utf8))
        var labels: [String: String] = [:]
        for (k, v) in j["labels"]?.objectValue?.members ?? [] { labels[k] = v.stringValue }
        return ScrapedSample(family: j["family"]?.stringValue ?? "", type: j["type"]?.stringValue ?? "", name: j["name"]?.stringValue ?? "",
                             labels: labels, value: j["value"]?.numberValue ?? .nan)
    }
}

extension [ScrapedSample] {
    /// Sum of the samples named `name` whose labels include `matching`.
    func sum(_ name: String, _ matching: [String: String] = [:]) -> Double {
        filter { sample in sample.name == name && matching.allSatisfy { sample.labels[$0.key] == $0.value } }.reduce(0) { $0 + $1.value }
    }
}

/// Checks a `/api/report` body against the reference story's figures; returns what differs.
func referenceReportProblems(_ report: JSONValue) -> [String] {
    var problems: [String] = []
    func expect(_ what: String, _ got: Double?, _ want: Int) {
        if got != Double(want) { problems.append("\(what): got \(got.map { String($0) } ?? "nothing"), want \(want)") }
    }
    let facilities = report["patients"]?["facilities"]?.arrayValue ?? []
    let regiment = facilities.first { $0["name"]?.stringValue == ReferenceFigures.regimentHospital }
    expect("visits to the regiment hospital", regiment?["visits"]?.numberValue, ReferenceFigures.regimentHospitalVisits)
    for (kind, n) in ReferenceFigures.regimentVisitsByKind {
        expect("\(kind) visits at the regiment hospital", regiment?["by_kind"]?[kind]?.numberValue, n)
    }
    expect("health checks", regiment?["checkups"]?.numberValue, ReferenceFigures.healthChecks)
    expect("surgeries", report["patients"]?["surgeries"]?.numberValue, ReferenceFigures.surgeries)
    let reached = report["leads"]?["reached"]
    expect("enterprises contacted", reached?["contacted"]?.numberValue, ReferenceFigures.enterprisesContacted)
    expect("agreements signed", reached?["agreement_signed"]?.numberValue, ReferenceFigures.agreementsSigned)
    expect("projects landed", reached?["landed"]?.numberValue, ReferenceFigures.projectsLanded)
    let bySource = report["news"]?["stories_by_source"]?.objectValue?.members ?? []
    let outlets = bySource.filter { ReferenceFigures.newsOutlets.contains($0.key) }.reduce(0.0) { $0 + ($1.value.numberValue ?? 0) }
    // The short stories plus the reference story itself.
    if outlets < Double(ReferenceFigures.newsStories) { problems.append("stories across the outlets: \(outlets), want ≥ \(ReferenceFigures.newsStories)") }
    expect("stories in all", report["news"]?["stories"]?.numberValue, ReferenceFigures.newsStories + 1)
    return problems
}
