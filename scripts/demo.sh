#!/usr/bin/env bash
# The main job: start `karez up` (broker, workers, collector), publish the reference data set,
# show what was stored and what was rejected (with reasons), print the domain report and the
# dashboard URL. On a terminal it keeps running until Enter or Ctrl-C; otherwise it stops cleanly.
set -euo pipefail
karez=${KAREZ:-.build/release/karez}
data=${KAREZ_DEMO_DATA:-./karez-data/demo}
rm -rf "$data"; mkdir -p "$data"
log="$data/up.log"
"$karez" up --data "$data" --worker-count 2 --dev-key >"$log" 2>&1 &
up=$!
trap 'kill -TERM $up 2>/dev/null || true; wait $up 2>/dev/null || true' EXIT
# Its parts start together: wait until the dashboard serves and the broker listens.
for _ in $(seq 100); do grep -q "karez up: dashboard" "$log" && grep -q "Ctrl-C to stop" "$log" && break; sleep 0.1; done
cat "$log"
dashboard=$(grep -o 'dashboard http://[^ ]*' "$log" | head -1 | cut -d' ' -f2)
echo "== karez gen --reference | karez publish =="
"$karez" gen --reference > "$data/reference.jsonl"
"$karez" publish "$data/reference.jsonl" 2> "$data/refused.jsonl" || [ $? = 1 ]
store="sqlite:$data/karez.sqlite"
expected=$(grep -vc '"id":"bad-' "$data/reference.jsonl" || true)
for _ in $(seq 100); do
  stored=0; for k in news patient lead; do stored=$((stored + $("$karez" query --store "$store" --kind $k --count))); done
  [ "$stored" -ge "$expected" ] && break; sleep 0.2
done
echo "== stored (karez query --count) =="
for k in news patient lead; do printf '%-8s stored %6s   rejected %s\n' $k "$("$karez" query --store "$store" --kind $k --count)" "$("$karez" query --store "$store" --kind $k --count --rejected)"; done
echo "== rejected items and why (karez query --rejected) =="
for k in news patient lead; do "$karez" query --store "$store" --kind $k --rejected | python3 -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    for e in r["errors"]["errors"]:
        print("  %-8s %-32s %s: %s: %s" % (r["kind"], r["id"], e["path"] or "(body)", e["code"], e["message"]))
'; done
echo "== karez report (the reference story's figures, from the store via the collector) =="
"$karez" report --collector "$dashboard"
echo "== dashboard: $dashboard   (Prometheus: ${dashboard}metrics, karez top --collector $dashboard) =="
if [ -t 0 ] && [ -z "${KAREZ_DEMO_STOP:-}" ]; then
  read -r -p "karez up keeps running for the dashboard; press Enter (or Ctrl-C) to stop. " _ || true
fi
kill -TERM $up; wait $up || true
trap - EXIT
tail -1 "$log"
