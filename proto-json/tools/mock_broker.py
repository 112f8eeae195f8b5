#!/usr/bin/env python3
"""A toy stand-in for `karez broker`, for trying producer and worker scripts without Swift.

It speaks KZ1 on the front and back endpoints (PROTOCOL.md) with an in-memory queue: PUB with
ACK/DUP/NAK/BUSY, PING/PONG, HELLO/WELCOME, CREDIT, JOB, DONE, FAIL, HB, BYE, ERR. It keeps no
journal (it acknowledges at durability "memory"), sends HB every second but has no leases,
heartbeat timeouts or backoff, and prints dead letters. Not for production, and not the
reference implementation: when it and PROTOCOL.md disagree, PROTOCOL.md is right.

  python3 mock_broker.py [--front tcp://*:7700] [--back tcp://*:7701] [--queue 10000]
"""

import argparse
import json
import os
import re
import socket
import sys
import time
import uuid
from collections import deque

import zmq

TAG = b"KZ1"
ID_RE = re.compile(rb"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
KIND_RE = re.compile(rb"[a-z][a-z0-9_]{0,31}")
KINDS = [b"news", b"patient", b"lead"]
MAX_ITEM_BYTES = 1 << 20
MAX_BATCH = 1000
INCARNATION = uuid.uuid4().hex


def error_body(code, message, id=None, kind=None, path=""):
    body = {"errors": [{"path": path, "code": code, "message": message}]}
    if id is not None:
        body["id"] = id.decode("utf-8", "replace")
    if kind is not None:
        body["kind"] = kind.decode("utf-8", "replace")
    return json.dumps(body, ensure_ascii=False).encode()


def split(frames):
    """(envelope, protocol frames): PROTOCOL.md, "Envelope"."""
    if len(frames) > 1 and frames[1].startswith(b"KZ"):
        return frames[:1], frames[1:]
    for i, f in enumerate(frames[1:], start=1):
        if f == b"":
            return frames[: i + 1], frames[i + 1:]
    return frames[:1], frames[1:]


def check_message(msg, commands):
    """None if msg starts with KZ1 and a known command, else an ERR body."""
    if not msg:
        return error_body("bad_frame", "empty message")
    if msg[0] != TAG:
        if msg[0].startswith(b"KZ"):
            return error_body("unsupported_version", f"protocol tag \"{msg[0][:16].decode('ascii', 'replace')}\" is not supported; this broker speaks KZ1")
        return error_body("bad_frame", "the first frame must be the protocol tag KZ1")
    if len(msg) < 2 or msg[1] not in commands:
        return error_body("unknown_command", f"unknown command \"{msg[1][:32].decode('ascii', 'replace')}\"" if len(msg) > 1 else "no command")
    return None


def item_error(id, kind, body):
    if not ID_RE.fullmatch(id):
        return "bad_id", "id must be 1-128 of A-Z a-z 0-9 . _ : - starting with a letter or digit"
    if not KIND_RE.fullmatch(kind) or kind not in KINDS:
        return "unknown_kind", f"unknown kind; this broker accepts {', '.join(k.decode() for k in KINDS)}"
    if len(body) > MAX_ITEM_BYTES:
        return "too_large", f"body is {len(body)} bytes, more than max_item_bytes {MAX_ITEM_BYTES}"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid_utf8", "body is not UTF-8"
    if not text.lstrip(" \t\r\n").startswith("{"):
        return "not_object", "body must be a JSON object"
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--front", default="tcp://*:7700")
    ap.add_argument("--back", default="tcp://*:7701")
    ap.add_argument("--queue", type=int, default=10000, help="most items queued before BUSY")
    ap.add_argument("--max-attempts", type=int, default=5)
    args = ap.parse_args()

    ctx = zmq.Context()
    front, back = ctx.socket(zmq.ROUTER), ctx.socket(zmq.ROUTER)
    for s, ep in ((front, args.front), (back, args.back)):
        s.setsockopt(zmq.LINGER, 0)
        s.setsockopt(zmq.MAXMSGSIZE, 16 << 20)
        s.bind(ep)
    print(f"mock broker: front {args.front}, back {args.back}", flush=True)

    seen = set()            # (kind, id) accepted: the dedup "window" (forever here)
    queue = deque()         # (id, kind, body, attempt)
    workers = {}            # routing id -> {"credit": n, "jobs": {delivery: item}}
    next_delivery = int(time.time() * 1000) << 16   # never reused across restarts
    poller = zmq.Poller()
    poller.register(front, zmq.POLLIN)
    poller.register(back, zmq.POLLIN)

    while True:
        ready = dict(poller.poll(1000))
        if front in ready:
            env, msg = split(front.recv_multipart())
            err = check_message(msg, (b"PUB", b"PING"))
            if err is None and msg[1] == b"PING":
                err = None if len(msg) == 2 else error_body("bad_frame", "PING has no frames")
                if err is None:
                    pong = {"broker": "mock-broker", "incarnation": INCARNATION, "version": "0.0.0-mock",
                            "kinds": [k.decode() for k in KINDS], "max_item_bytes": MAX_ITEM_BYTES,
                            "max_batch": MAX_BATCH, "durability": "memory"}
                    front.send_multipart(env + [TAG, b"PONG", json.dumps(pong).encode()])
                    continue
            if err is None:
                items = msg[2:]
                if not items or len(items) % 3 or len(items) > 3 * MAX_BATCH:
                    err = error_body("bad_frame", f"PUB needs 1 to {MAX_BATCH} id kind body triples")
            if err is not None:
                front.send_multipart(env + [TAG, b"ERR", err])
                continue
            acks, dups, busy = [], [], []
            for i in range(0, len(items), 3):
                id, kind, body = items[i:i + 3]
                bad = item_error(id, kind, body)
                if bad:
                    front.send_multipart(env + [TAG, b"NAK", id, error_body(bad[0], bad[1], id, kind)])
                elif (kind, id) in seen:
                    dups.append(id)
                elif len(queue) >= args.queue:
                    busy.append(id)
                else:
                    seen.add((kind, id))
                    queue.append((id, kind, body, 1))
                    acks.append(id)
            if acks:
                front.send_multipart(env + [TAG, b"ACK", b"memory"] + acks)
            if dups:
                front.send_multipart(env + [TAG, b"DUP"] + dups)
            if busy:
                front.send_multipart(env + [TAG, b"BUSY", b"1000"] + busy)

        if back in ready:
            env, msg = split(back.recv_multipart())
            rid = env[0]
            err = check_message(msg, (b"HELLO", b"CREDIT", b"DONE", b"FAIL", b"HB", b"BYE"))
            w = workers.get(rid)
            if err is None and msg[1] != b"HELLO" and w is None:
                err = error_body("hello_required", "send HELLO first")
            if err is not None:
                back.send_multipart(env + [TAG, b"ERR", err])
                continue
            cmd = msg[1]
            if cmd == b"HELLO":
                if w:  # a second HELLO resets the connection
                    queue.extendleft(reversed([(i, k, b, a + 1) for i, k, b, a in w["jobs"].values()]))
                workers[rid] = {"credit": 0, "jobs": {}, "sent": time.monotonic()}
                welcome = {"broker": "mock-broker", "incarnation": INCARNATION, "heartbeat_ms": 1000,
                           "lease_ms": 30000, "max_item_bytes": MAX_ITEM_BYTES, "version": "0.0.0-mock"}
                back.send_multipart(env + [TAG, b"WELCOME", json.dumps(welcome).encode()])
            elif cmd == b"CREDIT" and len(msg) == 3 and msg[2].isdigit():
                w["credit"] += int(msg[2])
            elif cmd == b"DONE":
                for d in msg[2:]:
                    w["jobs"].pop(d, None)
            elif cmd == b"FAIL" and len(msg) == 5:
                item = w["jobs"].pop(msg[2], None)
                if item:
                    id, kind, body, attempt = item
                    if msg[3] == b"1" and attempt < args.max_attempts:
                        queue.append((id, kind, body, attempt + 1))
                    else:
                        print(f"dead letter {kind.decode()} {id.decode()}: {msg[4].decode()}", flush=True)
            elif cmd == b"BYE":
                queue.extendleft(reversed([(i, k, b, a + 1) for i, k, b, a in w["jobs"].values()]))
                del workers[rid]
            elif cmd != b"HB":
                back.send_multipart(env + [TAG, b"ERR", error_body("bad_frame", f"bad {cmd.decode()} message")])

        now = time.monotonic()
        for rid, w in workers.items():  # dispatch: one JOB message per worker with credit
            if now - w["sent"] >= 1.0:
                back.send_multipart([rid, TAG, b"HB"])
                w["sent"] = now
            frames = []
            while w["credit"] > 0 and queue:
                id, kind, body, attempt = queue.popleft()
                next_delivery += 1
                d = str(next_delivery).encode()
                w["jobs"][d] = (id, kind, body, attempt)
                w["credit"] -= 1
                frames += [d, id, kind, str(attempt).encode(), body]
            if frames:
                back.send_multipart([rid, TAG, b"JOB"] + frames)
                w["sent"] = now


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
