// libFuzzer entry points of the Karez fuzz targets. Built only with KAREZ_FUZZ=1 (see the end
// of Package.swift) by scripts/fuzz.sh, with `-sanitize=fuzzer,address`. `main.swift` hands
// control to libFuzzer's driver, which calls the two C entry points here.
//
// One executable for every target; the target is chosen by the environment variable
// KAREZ_FUZZ_TARGET:
//
//   front      FrontRequest.decode (and FrontReply.decode, the envelope helpers) over frames
//   back       WorkerMessage.decode and BrokerMessage.decode over frames
//   collector  CollectorMessage.decode over frames
//   json       JSONParser.parse; a parsed value written with JSONWriter parses back equal
//   patient    the patient kind's process(bytes:context:) and redacted(_:pseudonymizer:)
//   news       the news kind's process(bytes:context:)
//   lead       the lead kind's process(bytes:context:)
//
// Frame targets split the input into frames at each byte 0x1E (ASCII "record separator"; see
// FuzzFrames.swift): "KZ1␞PUB␞n-1␞news␞{}" is the five frames KZ1, PUB, n-1, news, {}.
// A property that does not hold calls `fuzzFailure`, which aborts: libFuzzer then saves the
// input as a crash file like any trap or sanitizer report.

import Foundation

/// The target this process fuzzes, read once from KAREZ_FUZZ_TARGET.
nonisolated(unsafe) private var selected: FuzzTarget?

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    let name = ProcessInfo.processInfo.environment["KAREZ_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: "|")
        FileHandle.standardError.write(Data("karez-fuzz: set KAREZ_FUZZ_TARGET=\(names) (got \"\(name)\")\n".utf8))
        _exit(2)  // not exit: LeakSanitizer would report the strings built here
    }
    selected = target
    target.prepare()
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = selected else { return 0 }
    // The input in memory of exactly its size, so ASan sees any read past its end.
    let input = UnsafeRawBufferPointer(start: size == 0 ? nil : UnsafeRawPointer(data), count: size)
    target.run(input)
    return 0
}

/// Reports a broken property and aborts, so libFuzzer keeps the input as a crash.
func fuzzFailure(_ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) -> Never {
    FileHandle.standardError.write(Data("karez-fuzz: property failed at \(file):\(line): \(message())\n".utf8))
    abort()
}

enum FuzzTarget: String, CaseIterable {
    case front, back, collector, json, patient, news, lead

    /// Sets up once what every input shares (a kind target's processor).
    func prepare() {
        switch self {
        case .front, .back, .collector, .json: break
        case .patient, .news, .lead: KindTargets.prepare(kind: rawValue)
        }
    }

    func run(_ input: UnsafeRawBufferPointer) {
        switch self {
        case .front: FrameTargets.front(input)
        case .back: FrameTargets.back(input)
        case .collector: FrameTargets.collector(input)
        case .json: JSONTarget.run(input)
        case .patient, .news, .lead: KindTargets.run(input)
        }
    }
}
