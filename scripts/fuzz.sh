#!/usr/bin/env bash
# Fuzzes the frame decoders, the JSON parser and each kind's validator with libFuzzer (Swift's
# `-sanitize=fuzzer`, with AddressSanitizer), each target for SECONDS, starting from its seed
# corpus in Tests/FuzzCorpus/<target>/.
#
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#   SECONDS_PER_TARGET  default 60
#   TARGET              front back collector json patient news lead (default: all of them)
#
# The harness is Sources/KarezFuzz (one executable, target chosen by KAREZ_FUZZ_TARGET); it
# exists only with KAREZ_FUZZ=1 (end of Package.swift) and is built here, in release mode, into
# .build-fuzz (git-ignored), never .build. Nothing is installed: a toolchain without libFuzzer
# makes the build fail, and this script says so (exit 2).
#
# Each run works on a temporary copy of the seed corpus (inputs libFuzzer finds there are thrown
# away, so runs leave git clean). A crash (trap, sanitizer report, broken property), an input
# that takes more than 2 s, a leak or more than 2 GiB of memory is a finding: the script names
# the saved input (under .build-fuzz/fuzz-artifacts/<target>/), goes on with the other targets
# and exits 1. Reproduce with:
#   SWIFT_BACKTRACE=enable=no KAREZ_FUZZ_TARGET=<target> .build-fuzz/release/karez-fuzz <file>
#
# Frame targets (front, back, collector) read the input as frames separated by the byte 0x1E:
# printf 'KZ1\x1ePUB\x1en-1\x1enews\x1e{}' is the message KZ1 | PUB | n-1 | news | {}.
#
# Environment: SWIFT (default swift), KAREZ_FUZZ_CONFIG (release or debug; default release),
# KAREZ_FUZZ_ARGS (more libFuzzer options, such as -jobs or -use_value_profile=1).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

ALL_TARGETS=(front back collector json patient news lead)
seconds=${1:-60}
[[ $seconds =~ ^[0-9]+$ && $seconds -ge 1 ]] || { echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]" >&2; exit 2; }
shift $(( $# > 0 ? 1 : 0 ))
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${ALL_TARGETS[@]}")
for t in "${targets[@]}"; do
  [[ " ${ALL_TARGETS[*]} " == *" $t "* ]] || { echo "error: unknown fuzz target '$t' (known: ${ALL_TARGETS[*]})" >&2; exit 2; }
done

SWIFT=${SWIFT:-swift}
config=${KAREZ_FUZZ_CONFIG:-release}
scratch="$root/.build-fuzz"
artifacts="$scratch/fuzz-artifacts"

# Build. `-sanitize=fuzzer,address` instruments the Swift code; `-Xcc` does the same for the C
# kernels (CTextScan's SIMD UTF-8 and JSON scanning) so their reads are checked and covered too.
echo "== building karez-fuzz ($config, -sanitize=fuzzer,address) in .build-fuzz"
build_log="$scratch/fuzz-build.log"
mkdir -p "$scratch"
start=$(date +%s)
if ! KAREZ_FUZZ=1 "$SWIFT" build --scratch-path "$scratch" -c "$config" --product karez-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address >"$build_log" 2>&1; then
  tail -n 40 "$build_log" >&2
  echo "error: building the fuzz targets with -sanitize=fuzzer,address failed (full log: $build_log)." >&2
  echo "       libFuzzer needs a Swift toolchain for Linux that ships it (lib/clang/*/lib/*/libclang_rt.fuzzer*.a); nothing was installed." >&2
  exit 2
fi
echo "   built in $(( $(date +%s) - start )) s"
binary="$scratch/$config/karez-fuzz"

work=$(mktemp -d /tmp/karez-fuzz-XXXXXX)
trap 'rm -rf "$work"' EXIT

# Dictionaries: the tokens a mutation should be able to insert whole.
frame_tokens='"\x1e" "KZ1" "KZ" "0" "1" "18446744073709551615" "18446744073709551616" "{}" "news" "patient" "lead"'
json_tokens='"{" "}" "[" "]" ":" "," "\"" "\\" "\\u" "\\ud83d\\ude00" "\\u0000" "true" "false" "null" "-0" "1e308" "1e-400" "0.1" "123456789012345678"'
dictionary() {
  local words
  set -f  # the tokens are not file name patterns
  case $1 in
    front) words="$frame_tokens \"PUB\" \"PUBW\" \"PING\" \"DLQ\" \"REQUEUE\" \"PURGE\" \"ACK\" \"DUP\" \"NAK\" \"BUSY\" \"PONG\" \"ERR\" \"DLQOK\" \"FIN\" \"memory\" \"written\" \"fsynced\" \"done\" \"dead\"" ;;
    back) words="$frame_tokens \"HELLO\" \"CREDIT\" \"DONE\" \"FAIL\" \"EXTEND\" \"HB\" \"BYE\" \"WELCOME\" \"JOB\" \"ERR\" \"1000000\" \"9223372036854775808\" $json_tokens" ;;
    collector) words="$frame_tokens \"METRICS\" $json_tokens" ;;
    json) words="$json_tokens" ;;
    patient|news|lead) words="$json_tokens" ;;
  esac
  local i=0
  for w in $words; do echo "t$i=$w"; i=$((i + 1)); done
  set +f
}

failed=()
for t in "${targets[@]}"; do
  corpus="$work/corpus-$t"
  mkdir -p "$corpus" "$artifacts/$t"
  cp "$root/Tests/FuzzCorpus/$t/"* "$corpus/"
  dictionary "$t" >"$work/$t.dict"
  log="$work/$t.log"
  echo "== $t: ${seconds} s from $(ls "$corpus" | wc -l) seed inputs"
  # -detect_leaks=1: libFuzzer reports an input after which memory stays allocated that nothing
  # refers to. The Swift runtime's caches and lazily built tables stay referenced by globals,
  # so they are not reported (checked: no false positives in runs of every target).
  # SWIFT_BACKTRACE=enable=no: a Swift runtime failure (a trap) is left to libFuzzer's handler,
  # which prints the stack and saves the input at once; the Swift backtracer would first spend
  # seconds symbolicating (and can outlive the fuzzer, holding its output open).
  set +e
  SWIFT_BACKTRACE=enable=no KAREZ_FUZZ_TARGET=$t "$binary" "$corpus" \
    -max_total_time="$seconds" -max_len=1048576 -timeout=2 -rss_limit_mb=2048 -detect_leaks=1 \
    -dict="$work/$t.dict" -artifact_prefix="$artifacts/$t/" -print_final_stats=1 ${KAREZ_FUZZ_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1 || true)
  if [[ $rc -ne 0 ]]; then
    crash=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    grep -v -E '^#[0-9]+|^INFO:|^MS: |^base unit|NEW_FUNC|^Dictionary:|^\s*$' "$log" | head -n 80 >&2 || true
    echo "FAIL $t: libFuzzer exit $rc after ${runs:-?} runs (${rate:-?} exec/s); input saved as ${crash:-<none: see the log above>}" >&2
    echo "     reproduce: SWIFT_BACKTRACE=enable=no KAREZ_FUZZ_TARGET=$t $binary ${crash:-}" >&2
    failed+=("$t")
  else
    echo "   ok: ${runs:-?} runs, ${rate:-?} exec/s, $cov"
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzing found problems in: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
echo "== fuzzing: no findings (${targets[*]}; ${seconds} s each)"
