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
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // libzmq from Debian's libzmq3-dev (no pkgConfig: it drags in krb5's -isystem flag).
        .systemLibrary(name: "CZeroMQ", providers: [.apt(["libzmq3-dev"])]),
        // The only layer that touches ZeroMQ sockets.
        .target(name: "ZeroMQ", dependencies: ["CZeroMQ"]),
        // One thread owns a set of sockets; bounded bridge to async code.
        .target(name: "ZeroMQLoop", dependencies: ["ZeroMQ"]),
        // Wire frames, JSON bodies and the kinds' value types. No sockets.
        .target(name: "KarezProtocol"),
        // Validation and enrichment per kind: pure functions, no sockets.
        .target(name: "KarezDomain", dependencies: [
            "KarezProtocol", .product(name: "Crypto", package: "swift-crypto"),
        ]),
        // The raw-libzmq C baseline the benchmarks compare against.
        .target(name: "CZMQBaseline", linkerSettings: [.linkedLibrary("zmq")]),
        // Benchmarks: transport (Swift layer vs C baseline).
        .target(name: "KarezBench", dependencies: ["ZeroMQ", "CZMQBaseline"]),
        .executableTarget(name: "karez", dependencies: [
            "ZeroMQ", "ZeroMQLoop", "KarezProtocol", "KarezDomain", "KarezBench",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "ZeroMQTests", dependencies: ["ZeroMQ", "ZeroMQLoop"]),
        .testTarget(name: "KarezProtocolTests", dependencies: ["KarezProtocol"]),
        .testTarget(name: "KarezDomainTests", dependencies: ["KarezDomain"]),
    ]
)
