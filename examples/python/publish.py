#!/usr/bin/env python3
"""Publish JSON lines to a Karez broker over ZeroMQ (the worked example of PROTOCOL.md).

    python3 publish.py [--wait] [--curve-key NAME.key --server-key BROKER.pub] KIND FILE.jsonl [tcp://localhost:7700]

Each line of FILE is one item body, a JSON object with an "id" member (and optionally a
"kind" member overriding KIND). Prints a summary line; exit status 0 if every item was
acknowledged (ACK or DUP), 1 if any was refused (NAK) or the broker could not be used.
With --wait it publishes with PUBW and also waits for FIN: every acknowledged item processed
(done) or dead-lettered (dead); exit status 1 if any was dead-lettered or never finished.
With --curve-key (this producer's secret key file from `karez keys generate`) and --server-key
(the broker's .pub), it connects over CURVE; both files are ZeroMQ certificates, read by
zmq.auth.load_certificate.
"""
import json
import sys
import time

import zmq
import zmq.auth

WINDOW = 2000      # items sent and not yet answered
BATCH = 200        # items per PUB message (the broker allows up to max_batch)
RESEND_S = 10.0    # resend an item not answered within this time (safe: same id, dedup)


def curve_client(sock, key_file, server_key_file):
    """Makes `sock` a CURVE client: its own key pair and the server's public key."""
    public, secret = zmq.auth.load_certificate(key_file)
    server_public, _ = zmq.auth.load_certificate(server_key_file)
    if secret is None:
        sys.exit(f"{key_file} holds no secret key (give NAME.key, not NAME.pub)")
    sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server_public


def main(kind, path, endpoint="tcp://localhost:7700", wait=False, curve=None):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if curve:
        curve_client(sock, *curve)
    sock.connect(endpoint)

    # 1. Ask the broker what it accepts.
    sock.send_multipart([b"KZ1", b"PING"])
    if not sock.poll(5000):
        sys.exit(f"no answer from {endpoint} (with CURVE: is this key allowed by the broker's --producers?)")
    tag, cmd, *frames = sock.recv_multipart()
    if (tag, cmd) != (b"KZ1", b"PONG"):
        sys.exit(f"unexpected reply {cmd!r}")
    pong = json.loads(frames[0])
    batch = min(BATCH, pong["max_batch"])

    # 2. Read the items: (id, kind, body) with the body sent byte for byte as written.
    todo = []
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if line:
                item = json.loads(line)
                todo.append((item["id"].encode(), item.get("kind", kind).encode(), line))
    todo.reverse()                  # pop() from the end keeps file order
    pending = {}                    # id -> (kind, body, time sent)
    later = []                      # (not before, id, kind, body): refused with BUSY
    acked = dups = refused = 0
    watching = {}                   # with --wait: id -> (kind, body) acknowledged, FIN not yet come
    done = dead = resends = 0
    last_heard = time.monotonic()

    # 3. Keep up to WINDOW items in flight; match replies to items by id.
    while todo or pending or later or watching:
        now = time.monotonic()
        if watching and not (todo or pending or later) and now - last_heard > 10:
            if resends == 3:
                break                                         # still no FIN: give up
            resends += 1                                      # broker restarted? resend with PUBW:
            todo.extend((id, k, body) for id, (k, body) in watching.items())  # DUP, then FIN
            last_heard = now
        for entry in [e for e in later if e[0] <= now]:       # BUSY items whose wait is over
            later.remove(entry)
            todo.append(entry[1:])
        for id, (k, body, sent) in list(pending.items()):     # unanswered for too long
            if now - sent > RESEND_S:
                del pending[id]
                todo.append((id, k, body))
        while todo and len(pending) < WINDOW:
            frames = [b"KZ1", b"PUBW" if wait else b"PUB"]
            while todo and len(frames) < 2 + 3 * batch and len(pending) < WINDOW:
                id, k, body = todo.pop()
                pending[id] = (k, body, now)
                frames += [id, k, body]
            sock.send_multipart(frames)

        if not sock.poll(100):
            continue
        tag, cmd, *frames = sock.recv_multipart()
        last_heard = time.monotonic()
        if cmd == b"ACK":                                     # ACK durability id...
            for id in frames[1:]:
                item = pending.pop(id, None)
                if item is not None and id not in watching:
                    acked += 1
                    if wait:
                        watching[id] = item[:2]
        elif cmd == b"FIN":                                   # FIN done|dead id... (PUBW only)
            for id in frames[1:]:
                if id in watching:
                    del watching[id]
                    done += frames[0] == b"done"
                    dead += frames[0] == b"dead"
        elif cmd == b"DUP":                                   # DUP id...
            for id in frames:
                item = pending.pop(id, None)
                if item is not None and id not in watching:   # (a resent watched item: no news)
                    dups += 1
                    if wait:
                        watching[id] = item[:2]
        elif cmd == b"NAK":                                   # NAK id error-json
            id, error = frames
            if pending.pop(id, None) is not None:
                refused += 1
                for e in json.loads(error)["errors"]:
                    print(f"{id.decode()}: {e['code']} at '{e['path']}': {e['message']}", file=sys.stderr)
        elif cmd == b"BUSY":                                  # BUSY retry_after_ms id...
            delay = int(frames[0]) / 1000
            for id in frames[1:]:
                if id in pending:
                    k, body, _ = pending.pop(id)
                    later.append((now + delay, id, k, body))
        elif cmd == b"ERR":                                   # the whole message was refused
            sys.exit(f"broker: {frames[0].decode()}")

    finished = f", {done} done, {dead} dead-lettered, {len(watching)} unfinished" if wait else ""
    print(f"publish: {acked + dups + refused} items, {acked} acknowledged, "
          f"{dups} duplicates, {refused} refused{finished}")
    return 1 if refused or dead or watching else 0


def options(argv):
    """Splits the command line into positional arguments, --wait and the CURVE key files."""
    args, flags, it = [], {}, iter(argv)
    for a in it:
        if a == "--wait":
            flags["wait"] = True
        elif a in ("--curve-key", "--server-key"):
            flags[a] = next(it, None)
        else:
            args.append(a)
    if (flags.get("--curve-key") is None) != (flags.get("--server-key") is None):
        sys.exit("--curve-key and --server-key go together")
    curve = (flags["--curve-key"], flags["--server-key"]) if flags.get("--curve-key") else None
    return args, flags.get("wait", False), curve


if __name__ == "__main__":
    args, wait, curve = options(sys.argv[1:])
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*args, wait=wait, curve=curve))
