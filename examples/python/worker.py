#!/usr/bin/env python3
"""A minimal Karez worker over ZeroMQ (the worker example of PROTOCOL.md): prints each job.

    python3 worker.py [--curve-key NAME.key --server-key BROKER.pub] [tcp://localhost:7701]

With CURVE, NAME.pub must be in the broker's --workers folder.
"""
import json
import os
import socket
import sys
import time
import uuid

import zmq

from publish import curve_client, options

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
             "kinds": ["news", "patient", "lead"]}
    heartbeat = 1.0                     # until WELCOME says otherwise
    last_sent = last_heard = time.monotonic()

    def send(*frames):
        nonlocal last_sent
        sock.send_multipart([b"KZ1", *frames])
        last_sent = time.monotonic()

    send(b"HELLO", json.dumps(hello).encode())
    try:
        while True:
            if sock.poll(100):
                tag, cmd, *frames = sock.recv_multipart()
                last_heard = time.monotonic()
                if cmd == b"WELCOME":
                    welcome = json.loads(frames[0])
                    heartbeat = welcome["heartbeat_ms"] / 1000
                    send(b"CREDIT", str(CONCURRENCY).encode())
                elif cmd == b"JOB":                 # delivery id kind attempt body, repeated
                    done = []
                    for i in range(0, len(frames), 5):
                        delivery, id, kind, attempt, body = frames[i:i + 5]
                        item = json.loads(body)     # validate, enrich, store (one transaction) ...
                        print(f"{kind.decode()} {id.decode()} attempt {attempt.decode()}: "
                              f"{len(item)} members")
                        done.append(delivery)       # ... and report DONE only after the commit
                    send(b"DONE", *done)
                    send(b"CREDIT", str(len(done)).encode())
                elif cmd == b"ERR":
                    error = json.loads(frames[0])
                    if error["errors"][0]["code"] == "hello_required":
                        send(b"HELLO", json.dumps(hello).encode())   # the broker forgot us
                    else:
                        print("broker:", frames[0].decode(), file=sys.stderr)
            now = time.monotonic()
            if now - last_sent >= heartbeat:
                send(b"HB")
            if now - last_heard > 3 * heartbeat:    # broker silent: introduce ourselves again
                send(b"HELLO", json.dumps(hello).encode())
                last_heard = now
    except KeyboardInterrupt:
        send(b"BYE")


if __name__ == "__main__":
    args, _, curve = options(sys.argv[1:])
    main(*args, curve=curve)
