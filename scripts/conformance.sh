#!/usr/bin/env bash
# Runs the KZ1 conformance suite (proto-json/conformance) against `karez up --worker-count 0` on
# free loopback ports with small limits (so lease, EXTEND, BUSY and max_batch checks all run),
# then stops it. Usage: scripts/conformance.sh [path/to/karez]
set -euo pipefail
cd "$(dirname "$0")/.."
KAREZ=${1:-.build/debug/karez}
data=$(mktemp -d /tmp/karez-conformance-XXXXXX)
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
front="tcp://127.0.0.1:$(port)"; back="tcp://127.0.0.1:$(port)"
"$KAREZ" up --worker-count 0 --no-collector --collector none --front "$front" --back "$back" --data "$data" \
  --lease-ms 2000 --max-attempts 3 --max-queued 2500 >"$data/up.log" 2>&1 &
pid=$!
cleanup() { kill -INT "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
# Wait until the broker answers PING (it binds after recovering its journal).
python3 - "$front" <<'PY'
import sys, time, zmq
s = zmq.Context().socket(zmq.DEALER); s.setsockopt(zmq.LINGER, 0); s.connect(sys.argv[1])
deadline = time.time() + 30
while time.time() < deadline:
    s.send_multipart([b"KZ1", b"PING"])
    if s.poll(500):
        sys.exit(0)
sys.exit("karez up did not answer PING within 30 s")
PY
python3 proto-json/conformance/run.py --front "$front" --back "$back"
