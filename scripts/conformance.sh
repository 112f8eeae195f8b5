#!/usr/bin/env bash
# Runs the KZ1 conformance suite (proto-json/conformance) against `karez up --worker-count 0` on
# free loopback ports with small limits (so lease, EXTEND, BUSY, max_batch and priority aging checks all run),
# twice: over plain TCP, then with CURVE on (keys made for the run; the suite's key is allowed
# as producer, worker and operator). Usage: scripts/conformance.sh [path/to/karez] [plain|curve]...
set -euo pipefail
cd "$(dirname "$0")/.."
KAREZ=${1:-.build/debug/karez}
shift || true
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(plain curve)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pid=""
data=""
cleanup() {
  if [ -n "$pid" ]; then kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  [ -z "$data" ] || rm -rf "$data"
  pid=""; data=""
}
trap cleanup EXIT

suite() {
  local mode=$1
  data=$(mktemp -d /tmp/karez-conformance-XXXXXX)
  local front="tcp://127.0.0.1:$(port)" back="tcp://127.0.0.1:$(port)"
  local up_keys=() suite_keys=()
  if [ "$mode" = curve ]; then
    for name in broker suite producer; do "$KAREZ" keys generate "$name" --dir "$data/keys" >/dev/null; done
    for folder in producers workers operators; do mkdir -p "$data/$folder"; cp "$data/keys/suite.pub" "$data/$folder/"; done
    cp "$data/keys/producer.pub" "$data/producers/"
    up_keys=(--curve-key "$data/keys/broker.key" --producers "$data/producers" --workers "$data/workers" --operators "$data/operators")
    suite_keys=(--curve-key "$data/keys/suite.key" --server-key "$data/keys/broker.pub")
  fi
  echo "conformance ($mode): karez up on $front and $back"
  "$KAREZ" up --worker-count 0 --no-collector --collector none --front "$front" --back "$back" --data "$data/broker" \
    --lease-ms 2000 --max-attempts 3 --max-queued 2500 --max-credit 5000 --dedup-window 2 --priority-aging-ms 500 \
    "${up_keys[@]}" >"$data/up.log" 2>&1 &
  pid=$!
  # Wait until the broker answers PING (it binds after recovering its journal).
  python3 - "$front" "${suite_keys[@]}" <<'PY' || { cat "$data/up.log"; exit 1; }
import sys, time, zmq, zmq.auth
s = zmq.Context().socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0)
if len(sys.argv) > 2:
    public, secret = zmq.auth.load_certificate(sys.argv[3])
    server, _ = zmq.auth.load_certificate(sys.argv[5])
    s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, server
s.connect(sys.argv[1])
deadline = time.time() + 30
while time.time() < deadline:
    s.send_multipart([b"KZ1", b"PING"])
    if s.poll(500):
        sys.exit(0)
sys.exit("karez up did not answer PING within 30 s")
PY
  [ "$mode" = curve ] && suite_keys+=(--producer-key "$data/keys/producer.key")
  python3 proto-json/conformance/run.py --front "$front" --back "$back" --dedup-window-s 2 --priority-aging-ms 500 \
    "${suite_keys[@]}"
  cleanup
}

for mode in "${modes[@]}"; do suite "$mode"; done
