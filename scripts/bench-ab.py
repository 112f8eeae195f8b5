#!/usr/bin/env python3
"""bench-ab.py RATE RUNS BEFORE AFTER: two karez binaries alternating, RUNS times each, in open
loop at RATE items/s for 10 s (noop items, the bench's own Karez): intended->done percentiles,
CPU per item over all processes and the journal's fdatasync (when the binary reports it), every
run and the medians. Same machine, same window: a before/after comparison that machine noise
touches alike. A binary that knows --no-baseline gets
it (the C yardstick is not needed when both run side by side)."""
import json, statistics, subprocess, sys

if len(sys.argv) != 5:
    sys.exit(__doc__)
rate, runs, binaries = sys.argv[1], int(sys.argv[2]), {"before": sys.argv[3], "after": sys.argv[4]}


def run(binary):
    extra = ["--no-baseline"] if "--no-baseline" in subprocess.run([binary, "bench", "load", "--help"], capture_output=True, text=True).stdout else []
    out = subprocess.run([binary, "bench", "--kind", "noop", "--rate", rate, "--duration", "10", "--json", *extra], capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"bench-ab: {binary} failed:\n{out.stderr[-2000:]}")
    r = json.loads(lines[-1])
    d = r["latency_ms"]["done"]
    sync = r["latency_ms"].get("journal_sync", {})
    return (d["p50"], d["p99"], d["p99.9"], d["max"], sum(p["cpu_s"] for p in r["processes"].values()) * 1e6 / max(1, r["done"]),
            sync.get("p50", 0), sync.get("p99", 0), r["lost"])


results = {name: [] for name in binaries}
for _ in range(runs):
    for name, binary in binaries.items():
        results[name].append(run(binary))
for name, rows in results.items():
    print(f"{name} ({binaries[name]}) at {rate} items/s:")
    for row in rows:
        print("  p50 %.2f  p99 %.2f  p99.9 %.2f  max %.1f ms  cpu %.1f us/item  journal fdatasync p50 %.2f p99 %.2f ms  lost %d" % row)
    labels = ["p50", "p99", "p99.9", "max", "cpu", "sync p50", "sync p99"]
    print("  median: " + "  ".join(f"{label} {statistics.median(r[i] for r in rows):.2f}" for i, label in enumerate(labels)))
