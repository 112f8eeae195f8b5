#!/usr/bin/env bash
# A throw-away PostgreSQL server for the store tests: `start` installs Debian's postgresql when
# missing, creates a cluster in $KAREZ_PG_DIR (default /tmp/karez-test-pg) listening on
# 127.0.0.1:$KAREZ_PG_PORT (default 55432) and prints its URL; `stop` stops and removes it;
# `down` and `up` stop and start it keeping its data (store-outage tests).
set -euo pipefail
dir=${KAREZ_PG_DIR:-/tmp/karez-test-pg}
port=${KAREZ_PG_PORT:-55432}
sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
start)
  if [ -z "$(bin)" ]; then
    echo "installing postgresql" >&2
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
  fi
  b=$(bin)
  if ! as_pg "$b/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    $sudo rm -rf "$dir"; $sudo mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$b/initdb" -D "$dir/data" -U karez --auth=trust -E UTF8 >/dev/null
    as_pg "$b/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=100" start >/dev/null
    as_pg "$b/createdb" -h 127.0.0.1 -p "$port" -U karez karez_test
  fi
  echo "postgres://karez@127.0.0.1:$port/karez_test"
  ;;
stop)
  b=$(bin)
  [ -n "$b" ] && as_pg "$b/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
  $sudo rm -rf "$dir"
  ;;
down)
  # Stops the server and keeps its data (a store outage); `up` starts it again.
  as_pg "$(bin)/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
  ;;
up)
  as_pg "$(bin)/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" start >/dev/null
  ;;
restart)
  b=$(bin)
  as_pg "$b/pg_ctl" -D "$dir/data" -l "$dir/log" -w -m fast \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1" restart >/dev/null
  ;;
*) echo "usage: $0 start|stop|down|up|restart" >&2; exit 2 ;;
esac
