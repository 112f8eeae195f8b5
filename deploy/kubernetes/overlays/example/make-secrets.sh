#!/usr/bin/env bash
# Makes every key, token and allow-list Karez needs on Kubernetes and stores them in NAMESPACE as
# the Secrets and ConfigMaps that secrets/*.yaml show. Files are kept in KEYDIR (default
# ./karez-keys, mode 0700): back it up, the pseudonymisation key above all (a new key gives every
# patient a new pseudonym). Existing files are reused, so running it again changes nothing.
# Needs karez (or KAREZ=path) and kubectl. With PRINT=1 it prints the YAML instead of applying it.
# Usage: make-secrets.sh NAMESPACE [KEYDIR]   (KEYDIR/store-password: the store's password, one line)
set -euo pipefail
ns=${1:?usage: make-secrets.sh NAMESPACE [KEYDIR]}
dir=${2:-./karez-keys}
KAREZ=${KAREZ:-karez}
umask 077
mkdir -p "$dir"
# CURVE key pairs: NAME.key (secret) and NAME.pub. "app" stands for your producers (one each),
# "operator" for whoever runs karez dlq requeue/purge.
for name in broker worker collector app operator; do
  [ -f "$dir/$name.key" ] || "$KAREZ" keys generate "$name" --dir "$dir" >/dev/null
done
[ -f "$dir/pseudonym.key" ] || head -c 32 /dev/urandom | base64 >"$dir/pseudonym.key"
[ -f "$dir/http.token" ] || head -c 24 /dev/urandom | base64 >"$dir/http.token"
[ -s "$dir/store-password" ] || { echo "make-secrets: put the store user's password in $dir/store-password (one line), then run again" >&2; exit 1; }

out() {
  if [ "${PRINT:-}" = 1 ]; then echo "---"; kubectl create "$@" --namespace "$ns" --dry-run=client -o yaml
  else kubectl create "$@" --namespace "$ns" --dry-run=client -o yaml | kubectl apply -f -; fi
}
[ "${PRINT:-}" = 1 ] || kubectl get namespace "$ns" >/dev/null 2>&1 || kubectl create namespace "$ns"
# Secrets: each process's own secret key, the HTTP token, the pseudonymisation key, the password.
out secret generic karez-broker-key --from-file="$dir/broker.key"
out secret generic karez-worker-key --from-file="$dir/worker.key"
out secret generic karez-collector-key --from-file="$dir/collector.key"
out secret generic karez-collector-http --from-file="$dir/http.token"
out secret generic karez-pseudonym-key --from-file="$dir/pseudonym.key"
out secret generic karez-store-password --from-file=store-password="$dir/store-password"
# Public keys: what clients check the servers by, and who may connect where.
out configmap karez-public-keys --from-file="$dir/broker.pub" --from-file="$dir/collector.pub"
out configmap karez-producers --from-file="$dir/app.pub"
out configmap karez-workers --from-file="$dir/worker.pub"
out configmap karez-operators --from-file="$dir/operator.pub"
out configmap karez-senders --from-file="$dir/broker.pub" --from-file="$dir/worker.pub"
# Producers outside the cluster need KEYDIR/app.key and broker.pub:
#   karez publish --broker tcp://BROKER:7700 --curve-key app.key --server-key broker.pub items.jsonl
