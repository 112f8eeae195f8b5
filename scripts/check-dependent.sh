#!/usr/bin/env bash
# Builds a tiny package that depends on Karez *by version* (a tag of a local clone of HEAD),
# the way users depend on it, and publishes one item with KarezClient into a running broker.
# SwiftPM refuses a dependency by version whose library products carry unsafe flags, so this
# also checks there are none. Usage: scripts/check-dependent.sh [path/to/karez]
set -euo pipefail
cd "$(dirname "$0")/.."
KAREZ=${1:-.build/debug/karez}
root=$PWD
work=$(mktemp -d /tmp/karez-dependent-XXXXXX)
pid=""
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

git clone --quiet "$root" "$work/karez"
git -C "$work/karez" tag 99.0.0
mkdir -p "$work/app/Sources/karez-app"
cat >"$work/app/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "KarezApp",
    platforms: [.macOS(.v15)],
    dependencies: [.package(url: "file://$work/karez", from: "99.0.0")],
    targets: [
        .executableTarget(name: "karez-app", dependencies: [
            .product(name: "KarezClient", package: "karez"),
            .product(name: "KarezProtocol", package: "karez"),
            .product(name: "ZeroMQ", package: "karez"),
        ]),
    ]
)
SWIFT
cat >"$work/app/Sources/karez-app/main.swift" <<'SWIFT'
import Foundation
import KarezClient
import KarezProtocol
import ZeroMQ

// Publishes one news item to the broker named on the command line; exit 0 once it is acknowledged.
let publisher = try Publisher(context: try Context(), endpoint: CommandLine.arguments[1])
let item = PublishedItem(id: "dependent-1", kind: "news", body: Array(#"{"id":"dependent-1","title":"t","body":"b"}"#.utf8))
var acknowledged = false
_ = try publisher.publish([item], giveUpAfter: .seconds(20)) { outcome in
    print("outcome: \(outcome)")
    if case .acknowledged = outcome { acknowledged = true }
}
exit(acknowledged ? 0 : 1)
SWIFT
echo "check-dependent: building a package that depends on Karez 99.0.0 (a tag of HEAD)"
(cd "$work/app" && ${SWIFT:-swift} build 2>&1 | tail -3)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
front="tcp://127.0.0.1:$(port)"; back="tcp://127.0.0.1:$(port)"
"$KAREZ" broker --front "$front" --back "$back" --data "$work/data" --collector none >"$work/broker.log" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q "karez broker: front" "$work/broker.log" && break; sleep 0.1; done
"$work/app/.build/debug/karez-app" "$front"
echo "check-dependent: ok (KarezClient by version, no unsafe flags, one item acknowledged)"
