#!/usr/bin/env bash
# The distributed fault scenario (run as root): Karez on six hosts made of network namespaces
# (scripts/hosts.sh), CURVE on every hop, one shared PostgreSQL store, and four faults while
# `karez publish --wait` sends mixed items:
#
#   (a) worker-a's link goes down for 20 s, then up again;
#   (b) worker-b's worker is killed with kill -9 and started again;
#   (c) PostgreSQL on db is restarted (pg_ctl restart -m fast);
#   (d) the broker is killed with kill -9 and started again on the same data folder.
#
# Hosts: broker (karez broker), db (PostgreSQL), worker-a (two workers), worker-b (one worker),
# producer (karez publish --wait), collector (karez collector, its HTTP API with a bearer token).
# The faults are triggered by progress (items stored, counted by PostgreSQL: 10, 30, 50 and 70 %
# of the items), so they hit the flow at any speed of the binary; each is logged with its time since
# publishing began, and the run fails if one came after the flow had ended.
#
# Afterwards it checks, from PostgreSQL itself (psql), the broker's data folder and the collector:
#   lost 0          every published (kind, id) is stored, and nothing else is;
#   duplicates 0    no id stored twice, the broker accepted and finished each id exactly once
#                   (collector's accepted = done = items), the publisher finished each once;
#   dead letters 0  `karez dlq list` on the broker's data folder, the publisher's and the
#                   collector's dead-lettered counts;
#   report exact    the domain report served by the collector (`karez report --format json`)
#                   and the store's domain_totals equal what `karez check` computes locally from
#                   the same file, each item counted once (every figure, amounts to the yuan);
#   hosts           every process in the collector's process table reports the host it ran on
#                   (gethostname() in its UTS namespace), live at the end.
# and prints one line:
#   distributed: hosts 6, items 100000, lost 0, duplicates 0, dead letters 0, report exact; faults: …
#
# Usage: scripts/distributed-scenario.sh [KAREZ_BINARY]   (default .build/debug/karez)
# Environment: KAREZ_DIST_ITEMS (default 100000), KAREZ_DIST_TIMEOUT (seconds for the whole
# publish, default 1200), KAREZ_DIST_FAULTS (default abcd: the faults to inject, in order; "a" for the
# link fault alone, empty for none), KAREZ_DIST_MAX_STALL (default 120: fail as soon as the store's count has
# stood still that many seconds before every item is stored; 0: never), KAREZ_DIST_KEEP=1 keeps
# the temporary folder also on success.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
hosts_sh="$here/hosts.sh"
karez=$(realpath "${1:-.build/debug/karez}")
items=${KAREZ_DIST_ITEMS:-100000}
deadline=${KAREZ_DIST_TIMEOUT:-1200}
fault_set=${KAREZ_DIST_FAULTS-abcd}   # empty: no faults
max_stall=${KAREZ_DIST_MAX_STALL:-120}
[[ "$max_stall" =~ ^[0-9]+$ ]] || { echo "distributed: KAREZ_DIST_MAX_STALL is a number of seconds" >&2; exit 2; }
[[ "$fault_set" =~ ^[abcd]*$ ]] || { echo "distributed: KAREZ_DIST_FAULTS takes letters a, b, c and d in order" >&2; exit 2; }
prefix=${KAREZ_NET_PREFIX:-10.77.0}
[ -x "$karez" ] || { echo "distributed: no karez binary at $karez" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "distributed: needs root (network namespaces); run it with sudo" >&2; exit 2; }
for tool in ip bridge unshare runuser python3 flock; do
  command -v $tool >/dev/null || { echo "distributed: $tool is missing" >&2; exit 2; }
done
export KAREZ_NET_PREFIX=$prefix

# One run at a time: the namespaces and the bridge have fixed names.
exec 9>/run/karez-distributed.lock
flock -n 9 || { echo "distributed: another run holds /run/karez-distributed.lock" >&2; exit 2; }

pgbin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
if [ -z "$(pgbin)" ] || ! command -v psql >/dev/null; then
  echo "distributed: installing postgresql" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
pg=$(pgbin)

T=$(mktemp -d /tmp/karez-distributed.XXXXXX)
chmod 755 "$T"   # the postgres user reaches its folder below
logs=$T/logs
mkdir -p "$logs" "$T/keys" "$T/allow/workers" "$T/allow/producers" "$T/allow/operators" "$T/allow/senders"
declare -A pid=()        # name → pid of each running Karez process
declare -A incarnation=()
status=1                 # until everything held
pg_started=""

ms() { date +%s%3N; }
fmt() { printf '%d.%d' $(( $1 / 1000 )) $(( $1 % 1000 / 100 )); }   # milliseconds as seconds, one decimal
t0=$(ms)
since() { fmt $(( $(ms) - t0 )); }
log() { echo "[$(since)s] $*" | tee -a "$logs/scenario.log" >&2; }
on() { "$hosts_sh" exec "$@"; }

pg_opts="-p 5432 -k $T/pg -c listen_addresses=$prefix.20 -c max_connections=100 -c fsync=on"
pg_ctl() { on db runuser -u postgres -- "$pg/pg_ctl" -D "$T/pg/data" -l "$logs/postgres.log" "$@"; }

cleanup() {
  set +e
  trap - EXIT INT TERM
  for n in "${!pid[@]}"; do kill -TERM "${pid[$n]}" 2>/dev/null; done
  for _ in $(seq 50); do
    alive=""; for n in "${!pid[@]}"; do kill -0 "${pid[$n]}" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break; sleep 0.1
  done
  for n in "${!pid[@]}"; do kill -KILL "${pid[$n]}" 2>/dev/null; done
  [ -n "$pg_started" ] && pg_ctl -m immediate stop >/dev/null 2>&1
  # Anything still inside the scenario's namespaces was started by it.
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^kz-'); do
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
  done
  "$hosts_sh" down >/dev/null 2>&1
  if [ "$status" = 0 ] && [ -z "${KAREZ_DIST_KEEP:-}" ]; then
    rm -rf "$T"
  else
    if [ "$status" != 0 ]; then
      # Kept for a look: the logs, the broker's data folder (journal, dead letters), the keys and
      # what the checks read; the large regenerable files go.
      rm -f "$T/items.jsonl" "$T/checked.jsonl"
      echo "distributed: FAILED; per-process logs in $logs (the run's folder $T is kept, without the PostgreSQL data)" >&2
      for f in "$logs"/*.log; do
        [ -f "$f" ] || continue
        echo "----- $(basename "$f") (last 20 lines) -----" >&2
        tail -n 20 "$f" >&2
      done
    else
      echo "distributed: kept $T" >&2
    fi
    rm -rf "$T/pg/data"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() { log "FAILED: $*"; exit 1; }

# Waits up to $2 s for the text $3 in the log file $1.
wait_log() {
  local i
  for i in $(seq $(($2 * 10))); do grep -q "$3" "$1" 2>/dev/null && return 0; sleep 0.1; done
  return 1
}

# start NAME HOST ARGS...: a Karez process on HOST, its output in logs/NAME.N.log (N counts starts).
start() {
  local name=$1 host=$2; shift 2
  incarnation[$name]=$(( ${incarnation[$name]:-0} + 1 ))
  local out="$logs/$name.${incarnation[$name]}.log"
  # exec all the way down (hosts.sh, ip netns exec, unshare, sh): $! is the karez process itself,
  # so kill -9 hits it and not a wrapper.
  ( exec "$hosts_sh" exec "$host" "$karez" "$@" ) >"$out" 2>&1 &
  pid[$name]=$!
  last_log=$out
  is_karez "${pid[$name]}" || fail "$name: pid ${pid[$name]} is not $karez"
}
# Waits until PID runs the karez binary (after the exec chain), false if it never does.
is_karez() {
  local i
  for i in $(seq 50); do
    [ "$(readlink "/proc/$1/exe" 2>/dev/null)" = "$karez" ] && return 0
    kill -0 "$1" 2>/dev/null || return 1
    sleep 0.05
  done
  return 1
}

# --- hosts -----------------------------------------------------------------------------------
"$hosts_sh" down >/dev/null 2>&1 || true
"$hosts_sh" up
n_hosts=$("$hosts_sh" status | grep -c ' link up$')
log "hosts up: $("$hosts_sh" status | awk '{printf "%s%s=%s", (NR>1?", ":""), $1, $3}')"

# --- keys: one per process role and host; allow-lists per role -----------------------------------
for k in broker collector worker-a worker-b producer operator; do
  "$karez" keys generate "$k" --dir "$T/keys" >>"$logs/keys.log" 2>&1
done
cp "$T/keys/worker-a.pub" "$T/keys/worker-b.pub" "$T/allow/workers/"
cp "$T/keys/producer.pub" "$T/allow/producers/"
cp "$T/keys/operator.pub" "$T/allow/operators/"
cp "$T/keys/broker.pub" "$T/keys/worker-a.pub" "$T/keys/worker-b.pub" "$T/allow/senders/"
head -c 24 /dev/urandom | base64 | tr -d '/+=' > "$T/http.token"
head -c 32 /dev/urandom > "$T/pseudonym.key"
chmod 600 "$T/http.token" "$T/pseudonym.key"
export KAREZ_PSEUDONYM_KEY_FILE=$T/pseudonym.key

# --- the items: three kinds interleaved, the ids each kind expects --------------------------------
n_patient=$((items / 3)); n_lead=$((items / 3)); n_news=$((items - n_patient - n_lead))
"$karez" gen --kind patient --count $n_patient --seed 11 --output "$T/patient.jsonl"
"$karez" gen --kind lead --count $n_lead --seed 12 --output "$T/lead.jsonl"
"$karez" gen --kind news --count $n_news --seed 13 --output "$T/news.jsonl"
python3 - "$T" <<'EOF'
import json, sys, itertools
t = sys.argv[1]
files = [open(f"{t}/{k}.jsonl", encoding="utf-8") for k in ("patient", "lead", "news")]
with open(f"{t}/items.jsonl", "w", encoding="utf-8") as out, open(f"{t}/ids.tsv", "w", encoding="utf-8") as ids:
    for line in itertools.chain.from_iterable(itertools.zip_longest(*files)):
        if line is None:
            continue
        item = json.loads(line)
        out.write(line)
        ids.write(f"{item['kind']}\t{item['id']}\n")
EOF
rm -f "$T/patient.jsonl" "$T/lead.jsonl" "$T/news.jsonl"
log "items: $items ($n_patient patient, $n_lead lead, $n_news news, interleaved) in $T/items.jsonl"

# --- PostgreSQL on db ---------------------------------------------------------------------------
mkdir -p "$T/pg"; chown postgres "$T/pg"
touch "$logs/postgres.log"; chown postgres "$logs/postgres.log"
runuser -u postgres -- "$pg/initdb" -D "$T/pg/data" -U karez --auth=trust -E UTF8 >/dev/null
echo "host all karez $prefix.0/24 trust" >> "$T/pg/data/pg_hba.conf"
pg_ctl -w -o "$pg_opts" start >/dev/null
pg_started=1
on db runuser -u postgres -- "$pg/createdb" -h "$prefix.20" -U karez karez
store="postgres://karez@db:5432/karez?sslmode=disable"
psql_db() { on collector psql -h db -U karez -d karez -XAtq -v ON_ERROR_STOP=1 "$@"; }
log "postgresql $(basename "$(dirname "$pg")") on db ($prefix.20:5432), store $store"

# --- collector, broker, workers ------------------------------------------------------------------
K=$T/keys
start collector collector collector --intake 'tcp://*:7702' --curve-key "$K/collector.key" --senders "$T/allow/senders" \
  --http-host "$prefix.50" --http-port 7780 --http-token-file "$T/http.token" --data "$T/collector-data" --store "$store"
wait_log "$last_log" 30 "karez collector: intake" || fail "the collector did not start"
collector_url=http://collector:7780/

broker_args=(broker --front 'tcp://*:7700' --back 'tcp://*:7701' --data "$T/broker-data" --fsync batch
  --curve-key "$K/broker.key" --workers "$T/allow/workers" --producers "$T/allow/producers" --operators "$T/allow/operators"
  --collector tcp://collector:7702 --collector-key "$K/collector.pub")
start broker broker "${broker_args[@]}"
wait_log "$last_log" 30 "karez broker: front" || fail "the broker did not start"

start_worker() {  # NAME (HOST-N): a worker on HOST with HOST's key
  local host=${1%-*}
  start "$1" "$host" worker --name "$1" --broker tcp://broker:7701 --store "$store" \
    --curve-key "$K/$host.key" --server-key "$K/broker.pub" --collector tcp://collector:7702 --collector-key "$K/collector.pub"
}
start_worker worker-a-1
start_worker worker-a-2
start_worker worker-b-1

curl_api() {  # path: the collector's HTTP API with the token, from the producer host (Python: no curl needed)
  on producer python3 -c 'import sys, urllib.request
token = open(sys.argv[2]).read().strip()
with urllib.request.urlopen(urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + token}), timeout=5) as r:
    sys.stdout.buffer.write(r.read())' "${collector_url}$1" "$T/http.token"
}
summary_field() {  # python expression over the summary `s`
  curl_api api/summary 2>/dev/null | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)" 2>/dev/null
}
# Every worker said hello to the broker: the collector lists three live workers.
for _ in $(seq 300); do
  [ "$(summary_field "sum(1 for p in s['processes'] if p['role']=='worker' and p['live'])")" = 3 ] && break
  sleep 0.2
done
[ "$(summary_field "sum(1 for p in s['processes'] if p['role']=='worker' and p['live'])")" = 3 ] \
  || fail "the collector does not list three live workers"
log "collector on collector ($prefix.50:7780, token), broker on broker (CURVE, 3 allow-lists), workers worker-a-1, worker-a-2 on worker-a, worker-b-1 on worker-b"

# --- publish, and the faults by progress ----------------------------------------------------------
t0=$(date +%s%3N)
log "publishing: karez publish --wait on producer"
( exec "$hosts_sh" exec producer "$karez" publish --wait --broker tcp://broker:7700 --curve-key "$K/producer.key" \
  --server-key "$K/broker.pub" --timeout 120 "$T/items.jsonl" ) >"$logs/publish.log" 2>&1 &
pid[publish]=$!

# Progress: rows in the store, counted by PostgreSQL (exact and immediate; the collector's
# counters lag by a snapshot or more). Empty while PostgreSQL restarts.
stored_now() { psql_db -c "SELECT count(*) FROM items" 2>/dev/null | grep -E '^[0-9]+$' || true; }
faults=()
read -r -a pending <<< "$(echo "$fault_set" | sed 's/./& /g')"
link_up_ms=""
at_percent() { case "$1" in a) echo 10 ;; b) echo 30 ;; c) echo 50 ;; d) echo 70 ;; esac; }
run_fault() {  # FAULT STORED: begins fault a, b, c or d with STORED items stored so far
  local f=$1 done=$2 t
  t=$(since)
  case "$f" in
  a)
    "$hosts_sh" link worker-a down
    link_up_ms=$(( $(ms) + 20000 ))
    log "fault a: worker-a's link down (stored $done)"
    faults+=("worker-a link down 20s at ${t}s")
    ;;
  b)
    kill -KILL "${pid[worker-b-1]}"; wait "${pid[worker-b-1]}" 2>/dev/null || true
    log "fault b: worker-b-1 killed with kill -9 (stored $done)"
    start_worker worker-b-1
    log "fault b: worker-b-1 started again"
    faults+=("worker kill -9 at ${t}s")
    ;;
  c)
    log "fault c: restarting PostgreSQL on db (stored $done)"
    pg_ctl -w -m fast -o "$pg_opts" restart >/dev/null || fail "PostgreSQL did not restart"
    log "fault c: PostgreSQL is back"
    faults+=("postgres restart at ${t}s")
    ;;
  d)
    kill -KILL "${pid[broker]}"; wait "${pid[broker]}" 2>/dev/null || true
    log "fault d: broker killed with kill -9 (stored $done)"
    start broker broker "${broker_args[@]}"
    wait_log "$last_log" 60 "karez broker: front" || fail "the broker did not start again"
    log "fault d: broker started again on its data folder"
    faults+=("broker kill -9 at ${t}s")
    ;;
  esac
}

# The longest time the store's count stood still before every item was stored (a fault's cost).
last_stored=-1; last_change_ms=$(ms); stall_ms=0; stall_at=""; next_progress_ms=0
while kill -0 "${pid[publish]}" 2>/dev/null || [ -n "$link_up_ms" ]; do
  now_ms=$(ms)
  [ $(( now_ms - t0 )) -le $(( deadline * 1000 )) ] || fail "publishing did not finish within ${deadline}s"
  if [ -n "$link_up_ms" ] && [ "$now_ms" -ge "$link_up_ms" ]; then
    "$hosts_sh" link worker-a up
    log "fault a: worker-a's link up again"
    link_up_ms=""
  fi
  stored=$(stored_now)
  if [ -n "$stored" ]; then
    if [ "$stored" -gt "$last_stored" ]; then
      last_stored=$stored; last_change_ms=$now_ms
    elif [ "$stored" -lt "$items" ] && [ $(( now_ms - last_change_ms )) -gt "$stall_ms" ]; then
      stall_ms=$(( now_ms - last_change_ms )); stall_at=$(fmt $(( last_change_ms - t0 )))
      if [ "$max_stall" != 0 ] && [ "$stall_ms" -gt $(( max_stall * 1000 )) ]; then
        fail "the store's count stood still at $stored for more than ${max_stall}s (since ${stall_at}s, KAREZ_DIST_MAX_STALL): items are stuck; see $logs/progress.log (the broker's jobs in flight per worker, PostgreSQL's sessions)"
      fi
    fi
  fi
  # Every 2 s: the progress and PostgreSQL's sessions, to logs/progress.log (for a failed run).
  if [ "$now_ms" -ge "$next_progress_ms" ]; then
    next_progress_ms=$(( now_ms + 2000 ))
    { echo "[$(since)s] stored $stored"
      psql_db -F ' ' -c "SELECT client_addr, state, coalesce(wait_event_type || ':' || wait_event, '-'),
          coalesce(round(extract(epoch FROM now() - xact_start)::numeric, 1)::text, '-') AS xact_s, left(query, 40)
          FROM pg_stat_activity WHERE datname = 'karez' AND pid <> pg_backend_pid() ORDER BY client_addr" 2>&1 | sed 's/^/    /'
      curl_api metrics 2>/dev/null | grep -E '^karez_(queue_items|queue_ready_items|jobs_in_flight|workers_connected|worker_jobs_in_flight|worker_registered)[{ ]' \
        | sed 's/^/    /'
    } >> "$logs/progress.log"
  fi
  if [ ${#pending[@]} -gt 0 ] && [ -n "$stored" ] && kill -0 "${pid[publish]}" 2>/dev/null; then
    f=${pending[0]}
    if [ $(( stored * 100 )) -ge $(( $(at_percent "$f") * items )) ]; then
      [ "$stored" -lt "$items" ] || fail "fault $f would come after every item was stored: too few items for this binary"
      run_fault "$f" "$stored"
      pending=("${pending[@]:1}")
    fi
  fi
  sleep 0.2
done
rc=0; wait "${pid[publish]}" || rc=$?
unset 'pid[publish]'
publish_secs=$(since)
summary_line=$(grep '^published' "$logs/publish.log" || true)
log "publish exited $rc after ${publish_secs}s: $summary_line"
stall_text="longest stall $(fmt $stall_ms)s${stall_at:+ from ${stall_at}s}"
log "$stall_text (the store's count standing still before the end)"
[ ${#pending[@]} = 0 ] || fail "faults ${pending[*]} never happened: publishing ended first (too few items for this binary?)"
[ "$rc" = 0 ] || fail "karez publish --wait exited $rc"

# --- checks -----------------------------------------------------------------------------------
problems=()
# The publisher: every item acknowledged, refused none, finished (FIN done) each, none dead.
python3 - "$summary_line" "$items" <<'EOF' || problems+=("publisher summary: $summary_line")
import re, sys
line, n = sys.argv[1], int(sys.argv[2])
f = dict(re.findall(r"([a-z_-]+) (\d+)", line.replace("dead-lettered", "dead_lettered")))
ok = (int(f.get("published", -1)) == n and int(f.get("acknowledged", -1)) == n and int(f.get("refused", -1)) == 0
      and int(f.get("done", -1)) == n and int(f.get("dead_lettered", -1)) == 0 and int(f.get("unfinished", -1)) == 0)
sys.exit(0 if ok else 1)
EOF

# The broker's counters reach the collector once a second, and a host whose link was down
# reports again once its connections are back: wait (up to 60 s) for done = items and the broker
# and the three workers live.
for _ in $(seq 120); do
  [ "$(summary_field "int(s['totals']['done']) == $items and sum(1 for p in s['processes'] if p['live']) == 4")" = True ] && break
  sleep 0.5
done
curl_api api/summary > "$T/summary.json" || fail "the collector's /api/summary did not answer"

# Dead letters: the broker's dead-letter file, read by karez dlq list on the broker host (list
# reads DATA/dead-letters.jsonl; it has no broker endpoint). The operator's key is checked against
# the running broker over CURVE with a request that changes nothing: requeue an id that is no
# dead letter ("requeued 0").
op=$(on producer "$karez" dlq requeue --broker tcp://broker:7700 --curve-key "$K/operator.key" --server-key "$K/broker.pub" \
  no-such-dead-letter 2>&1) || true
[ "$op" = "requeued 0" ] || problems+=("karez dlq requeue with the operator key: $op")
on broker "$karez" dlq list --data "$T/broker-data" > "$T/dlq.txt" 2>&1 || problems+=("karez dlq list failed: $(cat "$T/dlq.txt")")
dead=$(sed -n 's/^\([0-9][0-9]*\) dead letters* in .*/\1/p' "$T/dlq.txt")
[ -n "$dead" ] || { problems+=("karez dlq list said: $(tail -1 "$T/dlq.txt")"); dead="?"; }

# The store, from PostgreSQL itself.
psql_db -F ' ' -c "SELECT kind, count(*) FROM items GROUP BY kind ORDER BY kind" > "$T/stored-per-kind.txt"
psql_db -F ' ' > "$T/store-check.txt" <<EOF
CREATE TEMP TABLE expected (kind TEXT NOT NULL, id TEXT NOT NULL);
\copy expected FROM '$T/ids.tsv'
SELECT
  (SELECT count(*) FROM expected e WHERE NOT EXISTS (SELECT 1 FROM items i WHERE i.kind = e.kind AND i.id = e.id)),
  (SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM expected e WHERE e.kind = i.kind AND e.id = i.id)),
  (SELECT count(*) FROM (SELECT id FROM items GROUP BY id HAVING count(*) > 1) d),
  (SELECT count(*) FROM rejected),
  (SELECT count(*) FROM items WHERE attempt > 1),
  (SELECT count(*) FROM items);
EOF
read -r lost unexpected twice rejected stored_on_redelivery stored_rows < "$T/store-check.txt"
psql_db -F $'\t' -c "SELECT name, labels, value FROM domain_totals ORDER BY name, labels" > "$T/domain-totals.tsv"
# karez query --count, the CLI's view of the same store.
query_counts=""
for k in patient lead news; do
  query_counts+="$k $(on collector "$karez" query --store "$store" --kind $k --count) "
done

# The report: from the collector, and the expected one from karez check over the same file.
on producer "$karez" report --collector "$collector_url" --http-token-file "$T/http.token" --format json > "$T/report.json" \
  || problems+=("karez report failed")
log "computing the expected report: karez check over $T/items.jsonl"
"$karez" check "$T/items.jsonl" > "$T/checked.jsonl" 2> "$T/check-errors.jsonl" || problems+=("karez check refused $(wc -l < "$T/check-errors.jsonl") items")

python3 - "$T" "$items" <<'EOF' > "$T/verify.txt" || true
import json, sys, collections
t, n = sys.argv[1], int(sys.argv[2])
problems = []
# Expected domain facts, each checked item counted once, as the kinds' processors emit them.
stages = ["contacted", "agreement_signed", "landed"]
facts = collections.defaultdict(float)
per_kind = collections.Counter()
def fact(name, labels, value):
    facts[(name, json.dumps(labels, sort_keys=True, ensure_ascii=False, separators=(",", ":")))] += value
for line in open(f"{t}/checked.jsonl", encoding="utf-8"):
    r = json.loads(line); b, e = r["body"], r["enrichment"]; per_kind[r["kind"]] += 1
    if r["kind"] == "patient":
        v = b["visit"]
        fact("patient_visits", {"kind": v["kind"], "facility": v["facility"], "department": v["department"]}, 1)
    elif r["kind"] == "lead":
        for s in stages[:stages.index(b["stage"]) + 1]:
            fact("leads_reached", {"stage": s}, 1)
        fact("lead_amount_cny", {"stage": b["stage"]}, e["amount_cny"])
        fact("leads", {"sector_class": e["sector_class"]}, 1)
    elif r["kind"] == "news":
        src = {"source": b.get("source") or "unknown"}
        fact("news_stories", src, 1)
        for topic in e["topics"]:
            fact("news_topic_stories", {"topic": topic}, 1)
        if e["amounts"]:
            fact("news_amount_cny", src, sum(a["value_cny"] for a in e["amounts"]))
if sum(per_kind.values()) != n:
    problems.append(f"karez check passed {sum(per_kind.values())} of {n} items")

# The store's domain_totals, row by row.
stored = {}
for line in open(f"{t}/domain-totals.tsv", encoding="utf-8"):
    name, labels, value = line.rstrip("\n").split("\t")
    stored[(name, json.dumps(json.loads(labels), sort_keys=True, ensure_ascii=False, separators=(",", ":")))] = float(value)
def same(a, b):
    return a == b or abs(a - b) <= 1e-9 * max(abs(a), abs(b))
totals_bad = [k for k in set(facts) | set(stored) if not same(facts.get(k, 0), stored.get(k, 0))]
for k in sorted(totals_bad)[:10]:
    problems.append(f"domain_totals {k[0]} {k[1]}: stored {stored.get(k, 0)}, expected {facts.get(k, 0)}")
if totals_bad:
    problems.append(f"{len(totals_bad)} domain_totals rows differ from the expected figures")

# The report the collector serves, figure by figure.
by = collections.defaultdict(lambda: collections.defaultdict(float))
for (name, labels), value in facts.items():
    l = json.loads(labels)
    if name == "patient_visits":
        by["facility:" + l["facility"]][l["kind"]] += value
        by["visits_by_kind"][l["kind"]] += value
        by["visits_by_department"][l["department"]] += value
    elif name == "leads_reached": by["reached"][l["stage"]] += value
    elif name == "lead_amount_cny": by["amount_cny_by_stage"][l["stage"]] += value
    elif name == "leads": by["by_sector_class"][l["sector_class"]] += value
    elif name == "news_stories": by["stories_by_source"][l["source"]] += value
    elif name == "news_topic_stories": by["stories_by_topic"][l["topic"]] += value
    elif name == "news_amount_cny": by["amount_cny_by_source"][l["source"]] += value
report = json.load(open(f"{t}/report.json", encoding="utf-8"))
P, L, N = report["patients"], report["leads"], report["news"]
checks = 0
def expect(what, got, want):
    global checks
    checks += 1
    if not same(float(got), float(want)):
        problems.append(f"report {what}: {got}, expected {want}")
def expect_map(what, got, want):
    for k in set(got) | set(want):
        expect(f"{what}[{k}]", got.get(k, 0), want.get(k, 0))
expect_map("patients.visits_by_kind", P["visits_by_kind"], by["visits_by_kind"])
expect_map("patients.visits_by_department", P["visits_by_department"], by["visits_by_department"])
expect("patients.surgeries", P["surgeries"], by["visits_by_kind"].get("surgery", 0))
facilities = {f["name"]: f for f in P["facilities"]}
want_facilities = {k.split(":", 1)[1]: v for k, v in by.items() if k.startswith("facility:")}
if set(facilities) != set(want_facilities):
    problems.append(f"report facilities {sorted(facilities)}, expected {sorted(want_facilities)}")
for name, kinds in want_facilities.items():
    f = facilities.get(name, {"by_kind": {}, "visits": 0, "checkups": 0, "surgeries": 0})
    expect_map(f"facility {name}", f["by_kind"], kinds)
    expect(f"facility {name} visits", f["visits"], sum(kinds.get(k, 0) for k in ("outpatient", "inpatient", "consult")))
    expect(f"facility {name} checkups", f["checkups"], kinds.get("checkup", 0))
    expect(f"facility {name} surgeries", f["surgeries"], kinds.get("surgery", 0))
expect_map("leads.reached", L["reached"], by["reached"])
expect_map("leads.amount_cny_by_stage", L["amount_cny_by_stage"], by["amount_cny_by_stage"])
expect("leads.investment_signed_or_landed_cny", L["investment_signed_or_landed_cny"],
       by["amount_cny_by_stage"].get("agreement_signed", 0) + by["amount_cny_by_stage"].get("landed", 0))
expect("leads.investment_landed_cny", L["investment_landed_cny"], by["amount_cny_by_stage"].get("landed", 0))
expect_map("leads.by_sector_class", L["by_sector_class"], by["by_sector_class"])
expect("news.stories", N["stories"], per_kind["news"])
expect_map("news.stories_by_source", N["stories_by_source"], by["stories_by_source"])
expect_map("news.stories_by_topic", N["stories_by_topic"], by["stories_by_topic"])
expect_map("news.amount_cny_by_source", N["amount_cny_by_source"], by["amount_cny_by_source"])
expect("news.amount_cny", N["amount_cny"], sum(by["amount_cny_by_source"].values()))
expect("leads reached contacted = leads", L["reached"].get("contacted", 0), per_kind["lead"])
expect("patient visits = patients", sum(P["visits_by_kind"].values()), per_kind["patient"])

# The collector's totals and process table.
s = json.load(open(f"{t}/summary.json", encoding="utf-8"))
tot = s["totals"]
for k, want in (("accepted", n), ("done", n), ("dead_lettered", 0), ("rejected", 0), ("refused", 0)):
    if tot.get(k) != want:
        problems.append(f"collector totals.{k} = {tot.get(k)}, expected {want}")
hosts = {"broker", "db", "worker-a", "worker-b", "producer", "collector"}
seen = collections.Counter()
for p in s["processes"]:
    want = "broker" if p["role"] == "broker" else p["name"].rsplit("-", 1)[0] if p["role"] == "worker" else None
    if p.get("host") not in hosts or (want and p["host"] != want):
        problems.append(f"process {p['role']} {p['name']} (pid {p['pid']}) reports host {p.get('host')!r}, expected {want!r}")
    if p["live"]:
        seen[(p["role"], p["host"])] += 1
for (role, host), count in (("broker", "broker"), 1), (("worker", "worker-a"), 2), (("worker", "worker-b"), 1):
    if seen[(role, host)] != count:
        problems.append(f"{seen[(role, host)]} live {role} processes on {host} in the collector's table, expected {count}")
table = ", ".join(sorted(f"{p['name']}@{p['host']}{'' if p['live'] else ' (gone)'}" for p in s["processes"]))
for p in problems:
    print("PROBLEM", p)
print(f"INFO report figures checked {checks}, domain_totals rows {len(stored)}; collector: accepted {tot.get('accepted')}, "
      f"done {tot.get('done')}, redelivered {tot.get('redelivered')}, duplicates (DUP answers) {tot.get('duplicates')}, "
      f"stored {tot.get('stored')}; processes: {table}")
EOF
while read -r kind rest; do
  case "$kind" in PROBLEM) problems+=("$rest") ;; INFO) log "$rest" ;; esac
done < "$T/verify.txt"
grep -q '^INFO' "$T/verify.txt" || problems+=("the verification script failed")

# Per kind: published, stored (psql), karez query --count.
while read -r kind count; do
  want=$(grep -c "^$kind	" "$T/ids.tsv" || true)
  [ "$count" = "$want" ] || problems+=("$kind: $count rows stored, $want published")
done < "$T/stored-per-kind.txt"
set -- $query_counts
while [ $# -ge 2 ]; do
  want=$(grep -c "^$1	" "$T/ids.tsv" || true)
  [ "$2" = "$want" ] || problems+=("karez query --kind $1 --count: $2, published $want")
  shift 2
done
[ "$stored_rows" = "$items" ] || problems+=("$stored_rows rows stored, $items published")
[ "$lost" = 0 ] || problems+=("lost: $lost published items are not in the store")
[ "$unexpected" = 0 ] || problems+=("$unexpected stored items were never published")
[ "$twice" = 0 ] || problems+=("$twice ids stored more than once")
[ "$rejected" = 0 ] || problems+=("$rejected items in the store's rejected list")
[ "$dead" = 0 ] || problems+=("$dead dead letters: $(head -5 "$T/dlq.txt")")
duplicates=$twice
log "store: $(tr '\n' ' ' < "$T/stored-per-kind.txt")(psql), $query_counts(karez query); lost $lost, unexpected $unexpected, ids stored twice $twice, rejected $rejected, stored on a redelivery $stored_on_redelivery; dead letters $dead"

if [ ${#problems[@]} -gt 0 ]; then
  for p in "${problems[@]}"; do log "PROBLEM: $p"; done
  fail "${#problems[@]} problems"
fi
fault_text=$(IFS=,; echo "${faults[*]}" | sed 's/,/, /g')
status=0
echo "distributed: hosts $n_hosts, items $items, lost $lost, duplicates $duplicates, dead letters $dead, report exact; faults: ${fault_text:-none} (publish --wait ${publish_secs}s, $stall_text)"
