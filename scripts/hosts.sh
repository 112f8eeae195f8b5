#!/usr/bin/env bash
# A multi-host test bed from Linux network namespaces (run as root).
#
#   scripts/hosts.sh up                 create the hosts (idempotent)
#   scripts/hosts.sh down               remove everything (idempotent)
#   scripts/hosts.sh exec HOST CMD...   run CMD on HOST: in its network namespace and in a new UTS
#                                       namespace whose hostname is HOST (so gethostname() says HOST)
#   scripts/hosts.sh link HOST down|up  take HOST's link down or up (its port on the bridge)
#   scripts/hosts.sh status             namespaces, addresses and link states
#   scripts/hosts.sh addr HOST          HOST's address
#
# Hosts broker, db, worker-a, worker-b, producer and collector each get a namespace kz-HOST with one
# interface eth0 (a veth pair) and loopback. The other ends of the pairs (kzb-HOST) are ports of
# the bridge kzbr0, which lives in a namespace of its own (kz-net): nothing is added to the root
# namespace's networking, no route, no address, no interface. Addresses are 10.77.0.0/24 (override
# with KAREZ_NET_PREFIX, the first three octets); /etc/netns/kz-HOST/hosts lets every host reach the
# others by name (`ip netns exec` mounts it over /etc/hosts).
set -euo pipefail

prefix=${KAREZ_NET_PREFIX:-10.77.0}
hosts=(broker db worker-a worker-b producer collector)
netns=kz-net
bridge=kzbr0

octet() {
  case "$1" in
    broker) echo 10 ;; db) echo 20 ;; worker-a) echo 31 ;; worker-b) echo 32 ;;
    producer) echo 40 ;; collector) echo 50 ;;
    *) echo "hosts.sh: unknown host \"$1\" (hosts: ${hosts[*]})" >&2; return 1 ;;
  esac
}
addr() { echo "$prefix.$(octet "$1")"; }
ns_exists() { ip netns list | awk '{print $1}' | grep -qx "$1"; }

[ "$(id -u)" = 0 ] || { echo "hosts.sh: needs root (network namespaces)" >&2; exit 1; }

up() {
  ns_exists "$netns" || ip netns add "$netns"
  ip -n "$netns" link set lo up
  ip -n "$netns" link show "$bridge" >/dev/null 2>&1 || ip -n "$netns" link add "$bridge" type bridge
  ip -n "$netns" link set "$bridge" up
  local h ns
  for h in "${hosts[@]}"; do
    ns=kz-$h
    ns_exists "$ns" || ip netns add "$ns"
    ip -n "$ns" link set lo up
    if ! ip -n "$ns" link show eth0 >/dev/null 2>&1; then
      # A half-made pair from an interrupted run: remove its bridge end first.
      ip -n "$netns" link del "kzb-$h" >/dev/null 2>&1 || true
      ip -n "$netns" link add "kzb-$h" type veth peer name eth0 netns "$ns"
    fi
    ip -n "$netns" link set "kzb-$h" master "$bridge"
    ip -n "$netns" link set "kzb-$h" up
    ip -n "$ns" addr replace "$(addr "$h")/24" dev eth0
    ip -n "$ns" link set eth0 up
    mkdir -p "/etc/netns/$ns"
    {
      echo "127.0.0.1 localhost"
      echo "::1 localhost ip6-localhost ip6-loopback"
      local o
      for o in "${hosts[@]}"; do echo "$(addr "$o") $o"; done
    } > "/etc/netns/$ns/hosts"
  done
  # Wait until every port forwards and every host's interface has its carrier.
  for h in "${hosts[@]}"; do
    local ok=""
    for _ in $(seq 50); do
      if bridge -n "$netns" link show dev "kzb-$h" 2>/dev/null | grep -q 'state forwarding' \
         && ip -n "kz-$h" link show eth0 | grep -q LOWER_UP; then ok=1; break; fi
      sleep 0.1
    done
    [ -n "$ok" ] || { echo "hosts.sh: the link of $h did not come up" >&2; return 1; }
  done
}

down() {
  local h
  for h in "${hosts[@]}"; do
    if ns_exists "kz-$h"; then
      # Processes still running there would keep nothing alive (their sockets die with the
      # namespace's interfaces), but say so: the caller should have stopped them.
      local pids
      pids=$(ip netns pids "kz-$h" 2>/dev/null || true)
      [ -z "$pids" ] || echo "hosts.sh: note: processes still in kz-$h: $(echo $pids)" >&2
      ip netns del "kz-$h" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/kz-$h"
  done
  ns_exists "$netns" && ip netns del "$netns" 2>/dev/null || true
  rm -rf "/etc/netns/$netns"
  return 0
}

status() {
  local h state
  if ! ns_exists "$netns"; then echo "hosts: down"; return 0; fi
  for h in "${hosts[@]}"; do
    if ns_exists "kz-$h"; then
      state=$(ip -n "$netns" -o link show "kzb-$h" 2>/dev/null | grep -q 'state UP\|,UP' && echo up || echo down)
      printf '%-10s kz-%-10s %-14s link %s\n' "$h" "$h" "$(ip -n "kz-$h" -4 -o addr show eth0 2>/dev/null | awk '{print $4}')" "$state"
    else
      printf '%-10s (missing)\n' "$h"
    fi
  done
}

cmd=${1:-}; shift || true
case "$cmd" in
up) up ;;
down) down ;;
status) status ;;
addr) [ $# = 1 ] || { echo "usage: $0 addr HOST" >&2; exit 2; }; addr "$1" ;;
exec)
  [ $# -ge 2 ] || { echo "usage: $0 exec HOST CMD..." >&2; exit 2; }
  h=$1; shift
  octet "$h" >/dev/null
  ns_exists "kz-$h" || { echo "hosts.sh: host $h is not up (scripts/hosts.sh up)" >&2; exit 1; }
  exec ip netns exec "kz-$h" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$h" "$@"
  ;;
link)
  [ $# = 2 ] && { [ "$2" = up ] || [ "$2" = down ]; } || { echo "usage: $0 link HOST down|up" >&2; exit 2; }
  octet "$1" >/dev/null
  ip -n "$netns" link set "kzb-$1" "$2"
  ;;
*) echo "usage: $0 up|down|status|exec HOST CMD...|link HOST down|up|addr HOST" >&2; exit 2 ;;
esac
