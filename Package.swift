// swift-tools-version: 6.1
import PackageDescription


/// Karez: a durable work queue over ZeroMQ. See README.md for the layout.
let package = Package(
    name: "Karez",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "karez", targets: ["karez"]),
        .library(name: "ZeroMQ", targets: ["ZeroMQ", "ZeroMQLoop"]),
        .library(name: "KarezProtocol", targets: ["KarezProtocol"]),
        // The publisher and what its API names: CURVE keys (KarezWire) and the items (KarezProtocol).
        .library(name: "KarezClient", targets: ["KarezClient", "KarezWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev (no pkgConfig: it drags in krb5's -isystem flag).
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // The only layer that touches ZeroMQ sockets.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // One thread owns a set of sockets; bounded bridge to async code.
        .target(name: "ZeroMQLoop", dependencies: ["ZeroMQ", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]),
        // Wire frames, JSON bodies and the kinds' value types. No sockets.
        .target(name: "KarezProtocol", dependencies: ["CTextScan"]),
        // Validation and enrichment per kind: pure functions, no sockets.
        .target(name: "KarezDomain", dependencies: [
            "KarezProtocol", "CTextScan", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // Where processed items go: SQLite (embedded default) or PostgreSQL (shared).
        .target(name: "KarezStore", dependencies: [
            "KarezDomain", "KarezProtocol",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Counters, gauges and HdrHistogram latencies of one process, as METRICS snapshots. No sockets.
        .target(name: "KarezMetrics", dependencies: ["KarezProtocol", .product(name: "Histogram", package: "hdrhistogram-swift")]),
        // Frames of received multipart messages as the protocol decoders read them; the metrics sender.
        .target(name: "KarezWire", dependencies: ["ZeroMQ", "KarezProtocol", "CMalloc", .product(name: "Logging", package: "swift-log")]),
        // glibc's allocator knobs: large buffers unmapped when freed, free heap trimmed.
        .target(name: "CMalloc"),
        // The broker: journal, state machine (queue, credits, leases, retries, dead letters), service.
        .target(name: "KarezBroker", dependencies: [
            "ZeroMQ", "ZeroMQLoop", "KarezWire", "KarezProtocol", "KarezMetrics", "CCRC32C", .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Text kernels in C: UTF-8 to scalars (SSSE3 for ASCII and CJK runs), JSON string runs (SSE2).
        .target(name: "CTextScan"),
        // CRC-32C of journal records in C: the SSE4.2 crc32 instruction, with a table fallback.
        .target(name: "CCRC32C"),
        // The worker: socket thread, parallel validate/enrich, batched store, DONE after commit.
        .target(name: "KarezWorker", dependencies: [
            "ZeroMQ", "ZeroMQLoop", "KarezWire", "KarezProtocol", "KarezDomain", "KarezStore", "KarezMetrics",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The collector: metric intake, aggregation, Prometheus text, JSON API, dashboard, domain report.
        .target(name: "KarezCollector", dependencies: [
            "ZeroMQ", "KarezWire", "KarezProtocol", "KarezMetrics", "KarezDomain", "KarezStore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // The Swift library producers use: windowed, retrying publisher.
        .target(name: "KarezClient", dependencies: ["ZeroMQ", "KarezWire", "KarezProtocol"]),
        // The raw-libzmq C baseline the benchmarks compare against.
        .target(name: "CZMQBaseline", linkerSettings: [.linkedLibrary("zmq")]),
        // Benchmarks: transport (Swift layer vs C baseline).
        .target(name: "KarezBench", dependencies: [
            "ZeroMQ", "CZMQBaseline", "KarezProtocol", "KarezDomain", "KarezStore", "KarezBroker", "KarezWorker", "KarezClient",
            "KarezCollector", .product(name: "Crypto", package: "swift-crypto"),
        ], exclude: ["README.md", "sweep-noop.svg"]),
        .executableTarget(name: "karez", dependencies: [
            "ZeroMQ", "ZeroMQLoop", "KarezProtocol", "KarezDomain", "KarezStore", "KarezBroker", "KarezWorker", "KarezClient", "KarezWire", "KarezBench", "CZMQBaseline",
            "KarezCollector", "KarezMetrics",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .testTarget(name: "ZeroMQTests", dependencies: [
            "ZeroMQ", "ZeroMQLoop", "KarezTestSupport",
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "KarezProtocolTests", dependencies: ["KarezProtocol"]),
        .testTarget(name: "KarezClientTests", dependencies: ["KarezClient", "KarezProtocol", "ZeroMQ", "KarezWire"]),
        .testTarget(name: "KarezDomainTests", dependencies: ["KarezDomain", .product(name: "Crypto", package: "swift-crypto")]),
        // For the tests: scratch folders removed when the test process exits, and polling waits.
        .target(name: "KarezTestSupport", path: "Tests/KarezTestSupport"),
        .testTarget(name: "KarezStoreTests", dependencies: ["KarezStore", "KarezTestSupport"]),
        .testTarget(name: "KarezBrokerTests", dependencies: ["KarezBroker", "KarezProtocol", "KarezMetrics", "KarezTestSupport", "CCRC32C"]),
        .testTarget(name: "KarezCollectorTests", dependencies: ["KarezCollector", "KarezMetrics", "KarezProtocol", "KarezDomain", "KarezStore", "KarezTestSupport", "ZeroMQ"]),
        .testTarget(name: "KarezBenchTests", dependencies: [
            "KarezBench", "KarezProtocol", "CZMQBaseline", .product(name: "Histogram", package: "hdrhistogram-swift"),
        ]),
        .testTarget(name: "PipelineTests", dependencies: [
            "ZeroMQ", "KarezProtocol", "KarezStore", "KarezWire", "KarezTestSupport",
            // The fourth kind's test runs broker, worker and collector in its own process.
            "KarezBroker", "KarezClient", "KarezCollector", "KarezDomain", "KarezWorker",
        ]),
    ]
)

// Fuzz targets (libFuzzer): only with KAREZ_FUZZ=1, built by scripts/fuzz.sh into .build-fuzz with
// `-sanitize=fuzzer,address` (without it the executable has no libFuzzer driver to link to).
if Context.environment["KAREZ_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "KarezFuzz", dependencies: ["KarezProtocol", "KarezDomain"]))
    package.products.append(.executable(name: "karez-fuzz", targets: ["KarezFuzz"]))
}
