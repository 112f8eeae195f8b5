#!/usr/bin/env bash
# check-hdr-log.sh [KAREZ]: `karez bench --hdr-log` read by a standard HdrHistogram tool.
#
# Runs a short open-loop bench with --hdr-log and --json, then reads the log with HdrHistogram_py's
# HistogramLogReader (a separate implementation of the format) and checks that every histogram
# Karez wrote is there, with the count and the p50/p99/p99.9 of the JSON report.
# Installs HdrHistogram_py with pip on a fresh Debian.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
KAREZ=${1:-.build/debug/karez}
python3 -c "import hdrh" 2>/dev/null || python3 -m pip install -q hdrhistogram 2>/dev/null \
  || python3 -m pip install -q --break-system-packages hdrhistogram 2>/dev/null
python3 -c "import hdrh" 2>/dev/null || { echo "check-hdr-log: error: Python's hdrhistogram (HdrHistogram_py) could not be installed"; exit 1; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$KAREZ" bench --kind noop --rate 2000 --duration 2 --hdr-log "$dir/run.hlog" --json 2>"$dir/err" | tail -1 >"$dir/run.json" \
  || { echo "check-hdr-log: error: karez bench failed:"; tail -20 "$dir/err"; exit 1; }
python3 - "$dir/run.hlog" "$dir/run.json" <<'PY'
import json, sys
from hdrh.histogram import HdrHistogram
from hdrh.log import HistogramLogReader
log, report = sys.argv[1], json.load(open(sys.argv[2]))
reader = HistogramLogReader(log, HdrHistogram(1, 3600000000, 3))
found = {}
while True:
    h = reader.get_next_interval_histogram()
    if h is None:
        break
    found[h.get_tag()] = h
expected = {"karez-intended-sent": report["latency_ms"]["sent"], "karez-intended-ack": report["latency_ms"]["ack"], "karez-intended-done": report["latency_ms"]["done"],
            "c-durable-ack": report["baseline_open"]["latency_ms"]}
failures = []
for tag, figures in expected.items():
    h = found.get(tag)
    if h is None:
        failures.append(f"{tag}: not in the log (found {sorted(found)})")
        continue
    if h.get_total_count() != figures["count"]:
        failures.append(f"{tag}: {h.get_total_count()} values, the report says {figures['count']}")
    for p in ("p50", "p99", "p99.9"):
        ours, theirs = figures[p], h.get_value_at_percentile(float(p[1:])) / 1000
        if abs(ours - theirs) > max(0.002, 0.001 * ours):  # microseconds, three significant digits
            failures.append(f"{tag}: {p} {theirs} ms read, {ours} ms reported")
if failures:
    print("check-hdr-log: FAIL\n  " + "\n  ".join(failures))
    sys.exit(1)
print(f"check-hdr-log: HdrHistogram_py read {len(found)} histograms from karez bench --hdr-log; counts and percentiles match the report")
PY
