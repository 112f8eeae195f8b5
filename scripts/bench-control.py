#!/usr/bin/env python3
"""bench-control.py BEFORE AFTER [RUNS] [COUNT] [ab]: what control over work costs (issue 22).

Closed loop, noop items, the bench's own Karez (`karez bench --kind noop --count COUNT --json
--no-baseline`), RUNS runs of each, alternating, all in the same window:
  before          BEFORE, no options (the previous main)
  after           AFTER, no options: must be within 3% of before (items/s and CPU per item)
  priorities      AFTER, items spread over 10 priorities (PUBX)
  delay           AFTER, every item delayed 50 ms (PUBX; latency to done includes the delay)
  both            AFTER, 10 priorities and 50 ms delay
With `ab`, only before and after (more runs in the same time). Prints every run and the medians: items/s done, CPU per item over all processes and the
broker's, and intended->done p50/p99 (ms). Exit 1 when `after` is more than 3% slower than
`before` in median items/s."""
import json, statistics, subprocess, sys

if len(sys.argv) < 3:
    sys.exit(__doc__)
before, after = sys.argv[1], sys.argv[2]
runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
count = sys.argv[4] if len(sys.argv) > 4 else "300000"
cases = [("before", before, []), ("after", after, []), ("priorities", after, ["--priorities", "10"]),
         ("delay", after, ["--delay-ms", "50"]), ("both", after, ["--priorities", "10", "--delay-ms", "50"])]


def run(binary, extra):
    out = subprocess.run([binary, "bench", "--kind", "noop", "--count", count, "--json", "--no-baseline", *extra], capture_output=True, text=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not lines:
        sys.exit(f"bench-control: {binary} {extra} failed:\n{out.stderr[-2000:]}")
    r = json.loads(lines[-1])
    done = max(1, r["done"])
    cpu = sum(p["cpu_s"] for p in r["processes"].values()) * 1e6 / done
    broker = sum(p["cpu_s"] for k, p in r["processes"].items() if k.startswith("broker")) * 1e6 / done
    d = r["latency_ms"]["done"]
    return r["items_per_s"], cpu, broker, d["p50"], d["p99"], r["lost"]


if len(sys.argv) > 5 and sys.argv[5] == "ab":
    cases = cases[:2]
results = {name: [] for name, _, _ in cases}
for _ in range(runs):
    for name, binary, extra in cases:
        results[name].append(run(binary, extra))
medians = {}
labels = ["items/s", "cpu us/item", "broker us/item", "p50 ms", "p99 ms"]
for name, binary, extra in cases:
    rows = results[name]
    print(f"{name}: {binary} {' '.join(extra)}")
    for row in rows:
        print("  %9.0f items/s  cpu %.2f us/item  broker %.2f us/item  p50 %.1f  p99 %.1f ms  lost %d" % row)
    medians[name] = [statistics.median(r[i] for r in rows) for i in range(5)]
    print("  median: " + "  ".join(f"{l} {v:.2f}" for l, v in zip(labels, medians[name])))
ratio = medians["after"][0] / medians["before"][0]
print(f"after / before, items/s: {ratio:.3f}; cpu per item: {medians['after'][1] / medians['before'][1]:.3f}; "
      f"broker cpu per item: {medians['after'][2] / medians['before'][2]:.3f}")
for name in [c[0] for c in cases[2:]]:
    print(f"{name} / after, items/s: {medians[name][0] / medians['after'][0]:.3f}; broker cpu per item: {medians[name][2] / medians['after'][2]:.3f}")
lost = sum(r[5] for rows in results.values() for r in rows)
print(f"lost: {lost}")
sys.exit(0 if ratio >= 0.97 and lost == 0 else 1)
