import Foundation
import Testing
@testable import KarezBench

@Suite("ProducerResult: merging producers, and results files of earlier releases")
struct ProducerResultTests {
    /// Per-second figures of a producer that started later line up by wall-clock second: counts
    /// add, and each second's longest intended→done is the longest of the producers'.
    @Test func laterProducersLineUpBySecond() {
        var a = ProducerResult(), b = ProducerResult()
        a.startedAt = 1000; a.donePerSecond = [10, 20]; a.doneMaxPerSecond = [5_000, 7_000]
        b.startedAt = 1001; b.donePerSecond = [1, 2, 3]; b.doneMaxPerSecond = [9_000, 1_000, 4_000]
        _ = a.sendLatency.record(300); _ = b.sendLatency.record(900)
        a.merge(b)
        #expect(a.donePerSecond == [10, 21, 2, 3])
        #expect(a.doneMaxPerSecond == [5_000, 9_000, 1_000, 4_000])
        #expect(a.sendLatency.totalCount == 2 && a.sendLatency.max >= 900)
    }

    /// PUBW messages add up over producers; where one producer's results lack the count (an
    /// earlier release), the merge has none rather than a part passing for the whole.
    @Test func publishMessagesAddUpOrAreUnknown() {
        var a = ProducerResult(), b = ProducerResult(), old = ProducerResult()
        a.publishMessages = 10; b.publishMessages = 5
        #expect(ProducerResult.merged([a, b]).publishMessages == 15)
        #expect(ProducerResult.merged([a, old, b]).publishMessages == nil)
        #expect(ProducerResult.merged([]).publishMessages == nil)
    }

    /// A results file without the fields added since (as an earlier release wrote it) still
    /// reads: what it has is kept, what it lacks takes its default.
    @Test func aResultsFileOfAnEarlierReleaseReads() throws {
        var result = ProducerResult()
        result.producer = "host-a/p0"; result.published = 1234; result.donePerSecond = [600, 634]
        _ = result.doneLatency.record(1500)
        var settings = LoadSettings()
        settings.rate = 500; settings.runID = "r1"
        let run = ProducerRun(settings: settings, results: [result], itemBytes: 600, process: ProcessStats(cpuSeconds: 1.5, peakBytes: 1 << 20))
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(run)) as? [String: Any])
        var old = try #require(json["results"] as? [[String: Any]])
        for key in ["doneMaxPerSecond", "sendLatency"] { #expect(old[0].removeValue(forKey: key) != nil, "\(key) is a field now") }
        json["results"] = old
        var oldSettings = try #require(json["settings"] as? [String: Any])
        #expect(oldSettings.removeValue(forKey: "silenceSeconds") != nil)
        json["settings"] = oldSettings
        var oldProcess = try #require(json["process"] as? [String: Any])
        for key in ["contextSwitches", "voluntarySwitches"] { #expect(oldProcess.removeValue(forKey: key) != nil, "\(key) is a field now") }
        json["process"] = oldProcess
        let data = try JSONSerialization.data(withJSONObject: json)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ProducerRun.self, from: data) }

        let read = try ProducerRun.read(data)
        #expect(read.results.count == 1)
        #expect(read.results[0].producer == "host-a/p0" && read.results[0].published == 1234 && read.results[0].donePerSecond == [600, 634])
        #expect(read.results[0].doneLatency.totalCount == 1)
        #expect(read.results[0].doneMaxPerSecond.isEmpty && read.results[0].sendLatency.totalCount == 0)
        #expect(read.settings.rate == 500 && read.settings.runID == "r1" && read.settings.silenceSeconds == 30)
        #expect(read.itemBytes == 600 && read.process == ProcessStats(cpuSeconds: 1.5, peakBytes: 1 << 20))
    }
}
