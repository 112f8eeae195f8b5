#!/usr/bin/env bash
# The cost of CURVE: `karez bench --kind noop` with and without --curve, alternating, 5 runs
# each, every run listed, then the medians and their ratio. Usage: scripts/bench-curve.sh [karez] [count]
set -euo pipefail
KAREZ=${1:-.build/release/karez}
COUNT=${2:-200000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for i in 1 2 3 4 5; do
  for mode in plain curve; do
    flag=(); [ "$mode" = curve ] && flag=(--curve)
    "$KAREZ" bench --kind noop --count "$COUNT" "${flag[@]}" --json 2>/dev/null | python3 -c '
import json, sys
d = json.load(sys.stdin); p = d["processes"]
cpu = sum(v["cpu_s"] for v in p.values())
print(sys.argv[1], round(d["items_per_s"]), round(cpu / d["done"] * 1e6, 2), d["lost"])' "$mode" | tee -a "$out"
  done
done
python3 - "$out" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {m: (statistics.median(int(r[1]) for r in rows if r[0] == m), statistics.median(float(r[2]) for r in rows if r[0] == m)) for m in ("plain", "curve")}
print(f"items/s done (median of 5): plain {med['plain'][0]:.0f}, curve {med['curve'][0]:.0f}, ratio {med['curve'][0] / med['plain'][0]:.2f}")
print(f"CPU µs per item (all processes): plain {med['plain'][1]:.2f}, curve {med['curve'][1]:.2f}, ratio {med['curve'][1] / med['plain'][1]:.2f}")
print(f"lost: {sum(int(r[3]) for r in rows)}")
PY
