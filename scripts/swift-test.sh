#!/usr/bin/env bash
# Runs `swift test` with its output line by line (not in 4 KiB blocks, so a CI log shows every
# finished test up to the last moment) and within a time limit. If the run is stopped or fails,
# it names the tests that had started and not finished.
# Usage: SWIFT_TEST_MINUTES=30 scripts/swift-test.sh [swift test arguments…]
set -uo pipefail
SWIFT=${SWIFT:-swift}
minutes=${SWIFT_TEST_MINUTES:-30}
log=$(mktemp /tmp/karez-swift-test-XXXXXX.log)
timeout --kill-after=30s "${minutes}m" stdbuf -oL -eL "$SWIFT" test "$@" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
if [ "$rc" != 0 ]; then
  [ "$rc" = 124 ] && echo "swift test: stopped after its limit of $minutes minutes (SWIFT_TEST_MINUTES)"
  started=$(grep -o '◇ Test [^ ]*' "$log" | sed 's/◇ Test //' | sort -u)
  ended=$(grep -oE '[✔✘] Test [^ ]*' "$log" | sed -E 's/[✔✘] Test //' | sort -u)
  running=$(comm -23 <(echo "$started") <(echo "$ended") | grep -v '^"' | grep -v '^case$' || true)
  [ -z "$running" ] || { echo "swift test: started and not finished:"; echo "$running" | sed 's/^/  /'; }
fi
rm -f "$log"
exit "$rc"
