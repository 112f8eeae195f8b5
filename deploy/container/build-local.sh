#!/usr/bin/env bash
# Builds the Karez image without pulling anything (no registry needed): a root file system FROM
# SCRATCH holding the given binary, every library ldd lists for it (with the dynamic loader), a
# user 10001 and coreutils' install (the pods' init container copies key files with it). Then it
# runs `karez --version` and a smoke test of `karez up` in the image.
# Usage: deploy/container/build-local.sh [path/to/karez] [image]
#   (default .build/release/karez and localhost/karez:VERSION)
# Needs podman and buildah (apt-get install podman buildah), as root. Set STORAGE_DRIVER=vfs where
# overlay is not available (e.g. inside another container).
set -euo pipefail
cd "$(dirname "$0")/../.."
KAREZ=$(readlink -f "${1:-.build/release/karez}")
[ -x "$KAREZ" ] || { echo "build-local: no karez binary at $KAREZ (swift build -c release)" >&2; exit 1; }
version=$("$KAREZ" --version)
IMAGE=${2:-localhost/karez:$version}
storage=(${STORAGE_DRIVER:+--storage-driver "$STORAGE_DRIVER"})

work=$(mktemp -d /tmp/karez-image-XXXXXX)
ctr=""; run=""
cleanup() {
  [ -z "$run" ] || podman "${storage[@]}" rm -f "$run" >/dev/null 2>&1 || true
  [ -z "$ctr" ] || buildah "${storage[@]}" rm "$ctr" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM
root=$work/rootfs

# A file and, recursively, every library it loads, at the same paths as here (the binary's
# RUNPATH, e.g. the Swift toolchain's lib folder, keeps working; LD_LIBRARY_PATH covers the rest).
libdirs=()
add() {
  local src=$1 dst=$root$2
  mkdir -p "$(dirname "$dst")"
  cp -L "$src" "$dst"
  ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | while read -r lib; do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"; cp -L "$lib" "$root$lib"
  done
}
add "$KAREZ" /usr/local/bin/karez
add "$(command -v install)" /usr/bin/install
# The loader at the path the binaries name (/lib64/ld-linux-x86-64.so.2 on x86-64).
loader=$(readelf -l "$KAREZ" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
mkdir -p "$root$(dirname "$loader")"; cp -L "$loader" "$root$loader"
mapfile -t libdirs < <(cd "$root" && find . -name '*.so*' -printf '/%h\n' | sed 's#^/\./#/#' | sort -u)

# What the processes expect around them: a user, /tmp, CA roots for TLS to PostgreSQL, zoneinfo.
mkdir -p "$root/etc" "$root/tmp" "$root/var/lib/karez" "$root/var/lib/karez-collector" "$root/run/secrets/karez" "$root/bin"
chmod 1777 "$root/tmp"
chown 10001:10001 "$root/var/lib/karez" "$root/var/lib/karez-collector"; chmod 0700 "$root/var/lib/karez" "$root/var/lib/karez-collector"
printf 'root:x:0:0:root:/root:/sbin/nologin\nkarez:x:10001:10001:karez:/var/lib/karez:/sbin/nologin\n' >"$root/etc/passwd"
printf 'root:x:0:\nkarez:x:10001:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
[ ! -f /etc/ssl/certs/ca-certificates.crt ] || { mkdir -p "$root/etc/ssl/certs"; cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"; }
[ ! -d /usr/share/zoneinfo ] || { mkdir -p "$root/usr/share"; cp -r /usr/share/zoneinfo "$root/usr/share/"; }
ln -s /usr/bin/install "$root/bin/install"
echo "build-local: rootfs $(du -sh "$root" | cut -f1) with $(find "$root" -name '*.so*' | wc -l) libraries"

# The image: buildah from scratch, one layer, the config the manifests rely on.
ctr=$(buildah "${storage[@]}" from scratch)
# As a tar archive: buildah add unpacks it keeping owners and modes (buildah copy makes them root's).
tar -C "$root" --numeric-owner -cf "$work/rootfs.tar" .
buildah "${storage[@]}" add --quiet "$ctr" "$work/rootfs.tar" / >/dev/null
IFS=:; ldpath="${libdirs[*]}"; unset IFS
buildah "${storage[@]}" config --entrypoint '["/usr/local/bin/karez"]' --cmd '--help' --user 10001:10001 \
  --workingdir /var/lib/karez --env PATH=/usr/local/bin:/usr/bin:/bin --env LD_LIBRARY_PATH="$ldpath" \
  --port 7700 --port 7701 --port 7702 --port 7780 --stop-signal SIGTERM \
  --label org.opencontainers.image.title=karez --label org.opencontainers.image.version="$version" "$ctr"
old=$(podman "${storage[@]}" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
new=$(buildah "${storage[@]}" commit --quiet --rm "$ctr" "$IMAGE"); ctr=""
# The image this one replaced under the same name, unless something else still uses it.
[ -z "$old" ] || [[ "$new" == "$old"* ]] || podman "${storage[@]}" rmi "$old" >/dev/null 2>&1 || true
echo "build-local: image $IMAGE ($(podman "${storage[@]}" image inspect --format '{{.Size}}' "$IMAGE") bytes)"

# Smoke test: --version, then karez up in the image (read-only, as in the pods) with items
# published from the host and /metrics read back; SIGTERM must stop it with exit status 0.
# Sandboxes without CAP_SYS_RESOURCE cannot raise rlimits (podman's defaults are higher than the
# host's), and crun refuses hybrid cgroups (v1 plus controllers on v2): try plain podman first,
# then with the host's file limit, then with runc. PODMAN_RUN_OPTS overrides the choice.
nofile=$(ulimit -Hn); [ "$nofile" = unlimited ] && nofile=1048576
candidates=("" "--ulimit nofile=$nofile:$nofile --ulimit nproc=32768:32768"
            "--runtime runc --ulimit nofile=$nofile:$nofile --ulimit nproc=32768:32768")
[ -z "${PODMAN_RUN_OPTS+x}" ] || candidates=("$PODMAN_RUN_OPTS")
got=""
for opts in "${candidates[@]}"; do
  read -r -a runopts <<<"$opts"
  if got=$(podman "${storage[@]}" run --rm --network host "${runopts[@]}" "$IMAGE" --version 2>"$work/run.err"); then break; fi
  echo "build-local: podman run ${opts:-(no options)} failed: $(tail -1 "$work/run.err")"
  got=""
done
[ "$got" = "$version" ] || { echo "build-local: karez --version in the image said '$got'" >&2; exit 1; }
echo "build-local: ok karez --version in the image (podman run ${opts:-with no extra options}): $got"
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
front=$(port) back=$(port) intake=$(port) http=$(port)
run=$(podman "${storage[@]}" run -d --network host "${runopts[@]}" --read-only --tmpfs /tmp --tmpfs /var/lib/karez:rw,mode=0700,U "$IMAGE" \
  up --data /var/lib/karez --front "tcp://127.0.0.1:$front" --back "tcp://127.0.0.1:$back" --intake "tcp://127.0.0.1:$intake" \
  --collector "tcp://127.0.0.1:$intake" --http-port "$http" --worker-count 2 --dev-key)
"$KAREZ" gen --kind patient --count 200 | "$KAREZ" publish --broker "tcp://127.0.0.1:$front" --kind patient --wait --timeout 30
# The copy the init containers make works in the image too.
podman "${storage[@]}" run --rm "${runopts[@]}" --read-only --tmpfs /run/secrets/karez:rw,mode=0700,U --entrypoint install "$IMAGE" \
  -m 0600 -t /run/secrets/karez /etc/passwd
for _ in $(seq 30); do
  done_items=$(python3 - "$http" <<'PY'
import re, sys, urllib.request
text = urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/metrics", timeout=5).read().decode()
m = re.search(r'^karez_items_done_total\{kind="patient"\} (\d+)', text, re.M)
print(m.group(1) if m else 0)
PY
  ) || done_items=0
  [ "$done_items" -ge 200 ] && break
  sleep 1
done
[ "${done_items:-0}" -ge 200 ] || { podman "${storage[@]}" logs "$run" | tail -20; echo "build-local: /metrics shows $done_items patients done, expected 200" >&2; exit 1; }
echo "build-local: ok karez up in the image: 200 items published, /metrics says karez_items_done_total{kind=\"patient\"} $done_items"
podman "${storage[@]}" stop --time 30 "$run" >/dev/null
status=$(podman "${storage[@]}" inspect --format '{{.State.ExitCode}}' "$run")
podman "${storage[@]}" rm "$run" >/dev/null; run=""
[ "$status" = 0 ] || { echo "build-local: karez up exited $status after SIGTERM" >&2; exit 1; }
echo "build-local: ok SIGTERM stopped karez up with exit status 0"
echo "build-local: built $IMAGE"
