#!/usr/bin/env python3
"""Publish JSON lines to a Karez broker over ZeroMQ (the worked example of PROTOCOL.md).

    python3 publish.py [--wait] [--pack] [--delay-ms N] [--priority P] [--ttl-ms N] [--traceparent T]
                       [--curve-key NAME.key --server-key BROKER.pub] KIND FILE.jsonl [tcp://localhost:7700]

Each line of FILE is one item body, a JSON object with an "id" member (and optionally a
"kind" member overriding KIND). Prints a summary line; exit status 0 if every item was
acknowledged (ACK or DUP), 1 if any was refused (NAK) or the broker could not be used.
Options for every item: --delay-ms N (not delivered before N ms after the broker accepted it),
--priority P (0 to 9, higher first), --ttl-ms N (not started within N ms: it ends expired),
--traceparent T (a W3C traceparent, carried to the worker). A line's own "karez" member, an
object of delay_ms, not_before, priority, ttl_ms, expires_at and traceparent, overrides them
member by member (its delay_ms or not_before replaces both of the run's, its ttl_ms or
expires_at likewise) and is removed from the body, which is then sent re-serialised. A message
with options for any of its items goes out as PUBX (empty options for the others), else as PUB;
the broker refuses an item with bad options with NAK.
With --pack, a message of several items goes out packed, KZ1 PACK PUB packed (or PUBW, PUBX,
PUBXW): its frames after the command as the length-prefixed fields of one frame, so ZeroMQ
handles one frame instead of three or four per item. Replies then come packed or not; both are
read. A broker without PACK (an older one: ERR unknown_command naming PACK) gets them unpacked.
With --wait it publishes with PUBW (PUBXW) and also waits for FIN: every acknowledged item
processed (done), dead-lettered (dead), expired or cancelled by an operator; exit status 1 if
any was not done or never finished.
With --curve-key (this producer's secret key file from `karez keys generate`) and --server-key
(the broker's .pub), it connects over CURVE; both files are ZeroMQ certificates, read by
zmq.auth.load_certificate.
"""
import json
import struct
import sys
import time
from datetime import datetime

import zmq
import zmq.auth

WINDOW = 2000      # items sent and not yet answered
BATCH = 200        # items per PUB message (the broker allows up to max_batch)
RESEND_S = 10.0    # resend an item not answered within this time (safe: same id, dedup)
PAIRS = ({"delay_ms", "not_before"}, {"ttl_ms", "expires_at"})   # give one of each pair, not both


def curve_client(sock, key_file, server_key_file):
    """Makes `sock` a CURVE client: its own key pair and the server's public key."""
    public, secret = zmq.auth.load_certificate(key_file)
    server_public, _ = zmq.auth.load_certificate(server_key_file)
    if secret is None:
        sys.exit(f"{key_file} holds no secret key (give NAME.key, not NAME.pub)")
    sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = public, secret, server_public


def packed(frames):
    """The packed frame of PROTOCOL.md 2.5: each frame as a 4-byte big-endian length and its bytes."""
    return b"".join(struct.pack(">I", len(f)) + f for f in frames)


def unpack(message):
    """A received message as (command, frames after it); KZ1 PACK as the command it packs."""
    tag, cmd, *frames = message
    if cmd != b"PACK":
        return cmd, frames
    cmd, data = frames
    frames, at = [], 0
    while at < len(data):
        (n,) = struct.unpack_from(">I", data, at)
        frames.append(data[at + 4:at + 4 + n])
        at += 4 + n
    return cmd, frames


def compact(value):
    """Compact JSON in UTF-8: the options frame, and a body re-serialised without "karez"."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def line_options(run, own):
    """A line's options: the run's, overridden member by member by its "karez" member `own`."""
    if not isinstance(own, dict):
        return own                  # not an object: sent as it is, for the broker to refuse (NAK)
    kept = {k: v for k, v in run.items() if not any(k in pair and pair & own.keys() for pair in PAIRS)}
    return {**kept, **own}


def starts_in(options):
    """Seconds from now before which an item with these options cannot start (0 if unknown)."""
    try:
        if "delay_ms" in options:
            return options["delay_ms"] / 1000
        return datetime.fromisoformat(options["not_before"].replace("Z", "+00:00")).timestamp() - time.time()
    except Exception:               # no delay, or one the broker will refuse
        return 0


def main(kind, path, endpoint="tcp://localhost:7700", wait=False, pack=False, curve=None, run=None):
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

    # 2. Read the items: (id, kind, options, body) with the body sent byte for byte as written,
    #    unless the line has a "karez" member: then that is taken out and the rest re-serialised.
    todo = []
    hold = 0                        # the longest delay: no FIN can be expected before it is over
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if line:
                item, opts = json.loads(line), run or {}
                if "karez" in item:
                    opts = line_options(opts, item.pop("karez"))
                    line = compact(item)
                hold = max(hold, starts_in(opts))
                opts = b"" if opts == {} else compact(opts)     # the options frame
                todo.append((item["id"].encode(), item.get("kind", kind).encode(), opts, line))
    todo.reverse()                  # pop() from the end keeps file order
    pending = {}                    # id -> (kind, options, body, time sent, sent packed)
    later = []                      # (not before, id, kind, options, body): refused with BUSY
    acked = dups = refused = resends = 0
    watching = {}                   # with --wait: id -> (kind, options, body) acknowledged, FIN not yet come
    finished = {"done": 0, "dead": 0, "expired": 0, "cancelled": 0}   # with --wait: FIN outcomes
    last_heard = time.monotonic()

    # 3. Keep up to WINDOW items in flight; match replies to items by id.
    while todo or pending or later or watching:
        now = time.monotonic()
        if watching and not (todo or pending or later) and now - last_heard > 10 + hold:
            if resends == 3:
                break                                         # still no FIN: give up
            resends += 1                                      # broker restarted? resend with PUBW:
            todo.extend((id, *item) for id, item in watching.items())  # DUP, then FIN
            last_heard = now
        for entry in [e for e in later if e[0] <= now]:       # BUSY items whose wait is over
            later.remove(entry)
            todo.append(entry[1:])
        for id, (k, opts, body, sent, _) in list(pending.items()):  # unanswered for too long
            if now - sent > RESEND_S:
                del pending[id]
                todo.append((id, k, opts, body))
        while todo and len(pending) < WINDOW:
            items = [todo.pop() for _ in range(min(len(todo), batch, WINDOW - len(pending)))]
            extended = any(opts for _, _, opts, _ in items)   # PUBX: 4 frames per item
            command, frames = b"PUB" + (b"X" if extended else b"") + (b"W" if wait else b""), []
            packing = pack and len(items) > 1
            for id, k, opts, body in items:
                pending[id] = (k, opts, body, now, packing)
                frames += [id, k, opts, body] if extended else [id, k, body]
            if packing:                                       # KZ1 PACK PUB packed
                sock.send_multipart([b"KZ1", b"PACK", command, packed(frames)])
            else:
                sock.send_multipart([b"KZ1", command, *frames])

        if not sock.poll(100):
            continue
        cmd, frames = unpack(sock.recv_multipart())           # ACK, DUP, BUSY, FIN: packed or not
        last_heard = time.monotonic()
        if cmd == b"ACK":                                     # ACK durability id...
            for id in frames[1:]:
                item = pending.pop(id, None)
                if item is not None and id not in watching:
                    acked += 1
                    if wait:
                        watching[id] = item[:3]
        elif cmd == b"FIN":                                   # FIN outcome id... (PUBW, PUBXW only)
            for id in frames[1:]:
                if watching.pop(id, None) is not None:        # done, dead, expired or cancelled
                    outcome = frames[0].decode()
                    finished[outcome] = finished.get(outcome, 0) + 1
        elif cmd == b"DUP":                                   # DUP id...
            for id in frames:
                item = pending.pop(id, None)
                if item is not None and id not in watching:   # (a resent watched item: no news)
                    dups += 1
                    if wait:
                        watching[id] = item[:3]
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
                    k, opts, body, *_ = pending.pop(id)
                    later.append((now + delay, id, k, opts, body))
        elif cmd == b"ERR":                                   # the whole message was refused
            error = json.loads(frames[0])
            if error.get("command") != "PACK" or error["errors"][0]["code"] != "unknown_command":
                sys.exit(f"broker: {frames[0].decode()}")
            if pack:                                          # an older broker, without PACK:
                pack = False                                  # resend what went packed, unpacked
                went_packed = [id for id, item in pending.items() if item[4]]
                todo.extend((id, *pending.pop(id)[:3]) for id in went_packed)  # (other PACKs' ERRs: no news)
                print("publish: the broker does not take PACK; sending unpacked", file=sys.stderr)

    fins = (f", {finished['done']} done, {finished['dead']} dead-lettered, {len(watching)} unfinished, "
            f"{finished['expired']} expired, {finished['cancelled']} cancelled") if wait else ""
    print(f"publish: {acked + dups + refused} items, {acked} acknowledged, "
          f"{dups} duplicates, {refused} refused{fins}")
    not_done = sum(finished.values()) - finished["done"]   # dead, expired, cancelled
    return 1 if refused or not_done or watching else 0


def options(argv):
    """Splits the command line into positional arguments, the switches --wait and --pack, the
    CURVE key files and the options for every item (checked by the broker, which refuses bad
    ones with NAK)."""
    args, switches, keys, run, it = [], {"wait": False, "pack": False}, {}, {}, iter(argv)
    for a in it:
        if a in ("--wait", "--pack"):
            switches[a[2:]] = True
        elif a in ("--curve-key", "--server-key"):
            keys[a] = next(it, None)
        elif a in ("--delay-ms", "--priority", "--ttl-ms", "--traceparent"):
            value = next(it, "")
            try:
                run[a[2:].replace("-", "_")] = value if a == "--traceparent" else int(value)
            except ValueError:
                sys.exit(f"{a} takes a whole number, not {value!r}")
        else:
            args.append(a)
    if (keys.get("--curve-key") is None) != (keys.get("--server-key") is None):
        sys.exit("--curve-key and --server-key go together")
    curve = (keys["--curve-key"], keys["--server-key"]) if keys.get("--curve-key") else None
    return args, switches, curve, run


if __name__ == "__main__":
    args, switches, curve, run = options(sys.argv[1:])
    if len(args) not in (2, 3):
        sys.exit(__doc__)
    sys.exit(main(*args, **switches, curve=curve, run=run))
