#!/usr/bin/env python3
"""A minimal Karez worker over ZeroMQ (the worker example of PROTOCOL.md): prints each job.

    python3 worker.py [--curve-key NAME.key --server-key BROKER.pub] [tcp://localhost:7701]

It accepts JOBX (jobs with a meta frame: it prints their traceparent), CANCEL (it has
answered every job by the time a CANCEL can come, so it drops nothing, it only logs it) and
PACK (JOB and JOBX as one packed frame; it reads both forms, and once a packed message came
since its HELLO, it sends a DONE of several deliveries packed too).
With CURVE, NAME.pub must be in the broker's --workers folder.
"""
import json
import os
import socket
import sys
import time
import uuid

import zmq

from publish import curve_client, options, packed, unpack

CONCURRENCY = 8


def main(endpoint="tcp://localhost:7701", curve=None):
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 1000)
    if curve:
        curve_client(sock, *curve)
    sock.connect(endpoint)

    hello = {"name": "example-worker", "host": socket.gethostname(), "pid": os.getpid(),
             "incarnation": uuid.uuid4().hex, "concurrency": CONCURRENCY, "version": "0.1.0",
             "kinds": ["news", "patient", "lead"], "accepts": ["JOBX", "CANCEL", "PACK"]}
    heartbeat = 1.0                     # until WELCOME says otherwise
    last_sent = last_heard = time.monotonic()
    packing = False                     # a packed message came since our last HELLO

    def send(*frames):
        nonlocal last_sent
        sock.send_multipart([b"KZ1", *frames])
        last_sent = time.monotonic()

    def send_hello():
        nonlocal packing
        packing = False                 # DONE goes unpacked until the broker sends packed
        send(b"HELLO", json.dumps(hello).encode())

    send_hello()
    try:
        while True:
            if sock.poll(100):
                message = sock.recv_multipart()
                packing = packing or message[1] == b"PACK"
                cmd, frames = unpack(message)       # KZ1 PACK JOB packed: read as KZ1 JOB ...
                last_heard = time.monotonic()
                if cmd == b"WELCOME":
                    welcome = json.loads(frames[0])
                    heartbeat = welcome["heartbeat_ms"] / 1000
                    send(b"CREDIT", str(CONCURRENCY).encode())
                elif cmd in (b"JOB", b"JOBX"):      # delivery id kind attempt [meta] body, repeated
                    n = 5 if cmd == b"JOB" else 6
                    done = []
                    for i in range(0, len(frames), n):
                        delivery, id, kind, attempt, *meta, body = frames[i:i + n]
                        item = json.loads(body)     # validate, enrich, store (one transaction) ...
                        trace = json.loads(meta[0]).get("traceparent") if meta and meta[0] else None
                        print(f"{kind.decode()} {id.decode()} attempt {attempt.decode()}: "
                              f"{len(item)} members" + (f", trace {trace}" if trace else ""))
                        done.append(delivery)       # ... and report DONE only after the commit
                    if packing and len(done) > 1:
                        send(b"PACK", b"DONE", packed(done))
                    else:
                        send(b"DONE", *done)
                    send(b"CREDIT", str(len(done)).encode())
                elif cmd == b"CANCEL":              # delivery...: an operator cancelled these jobs
                    # A worker drops those it has not started and asks CREDIT for them again;
                    # this one answered (and re-credited) every job before it could read this.
                    print(f"cancelled: deliveries {b' '.join(frames).decode()} (already answered)")
                elif cmd == b"ERR":
                    error = json.loads(frames[0])
                    if error["errors"][0]["code"] == "hello_required":
                        send_hello()                # the broker forgot us
                    else:
                        print("broker:", frames[0].decode(), file=sys.stderr)
            now = time.monotonic()
            if now - last_sent >= heartbeat:
                send(b"HB")
            if now - last_heard > 3 * heartbeat:    # broker silent: introduce ourselves again
                send_hello()
                last_heard = now
    except KeyboardInterrupt:
        send(b"BYE")


if __name__ == "__main__":
    args, _, curve, _ = options(sys.argv[1:])
    main(*args, curve=curve)
