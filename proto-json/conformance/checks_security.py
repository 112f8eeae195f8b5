"""Checks of §9 (limits per message) and §9.1 (CURVE, operators). Each check's docstring quotes
the sentence it checks. The CURVE checks run when the suite has keys (--curve-key); the
operator check needs a key that may publish but is no operator (--producer-key)."""

from __future__ import annotations

import json

import zmq
import zmq.auth

from harness import Skip, check, expect, load_json
from steps import expect_err


def front_socket(t, keys):
    """A DEALER on the front endpoint outside the suite's ledger: plain, or a CURVE client with
    `keys` (public, secret) of its own."""
    sock = t.s.ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    if keys:
        sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = keys[0], keys[1], t.s.curve[2]
    sock.connect(t.s.front)
    return sock


def answered(t, sock, frames):
    """Sends `frames` and returns the reply, or None when none came within the timeout."""
    sock.send_multipart(frames)
    came = sock.poll(int(t.s.timeout * 1000))
    reply = sock.recv_multipart() if came else None
    sock.close()
    return reply


@check("§9", "a message of more frames than a PUBX of max_batch items is answered ERR too_large")
def too_many_frames(t):
    """A message of more frames, or more bytes, than the limits of §9 (front: at most 4 010
    frames, i.e. envelope, tag, command and `max_batch` items of `PUBX`) is read to its end and
    dropped: the broker answers `ERR too_large` and stores nothing of it."""
    p = t.producer()
    n = 4 * t.s.max_batch + 100
    p.send(b"PUB", *([b""] * n))
    body = expect_err(p, "too_large", f"PUB of {n + 2} frames")
    # §2.4: an ERR too_large names the command, and no ids (none of its items was read).
    expect(body.get("command") == "PUB" and "ids" not in body, f"ERR too_large of a PUB: expected command PUB and no ids, came {body}")
    p.send(b"PING")
    p.expect(b"PONG", "PING after a refused message")


@check("§9", "a message of more than 16 MiB in all is answered ERR too_large")
def too_many_bytes(t):
    """… `max_message_bytes`, 16 MiB (or `max_item_bytes` + 64 KiB if larger): the whole message
    is refused with `ERR too_large`."""
    big = max(16 << 20, t.s.max_item_bytes + (64 << 10))
    part = b"x" * (big // 2 + 1)
    p = t.producer()
    items = [t.item("big"), t.item("big")]
    p.send(b"PUB", items[0].id, items[0].kind, part, items[1].id, items[1].kind, part)
    body = expect_err(p, "too_large", f"PUB of {2 * len(part)} body bytes")
    expect(body.get("command") == "PUB" and "ids" not in body, f"ERR too_large of a PUB: expected command PUB and no ids, came {body}")


@check("§4.1", "a HELLO body over 4096 bytes is answered ERR too_large")
def hello_too_large(t):
    """`HELLO` bodies are at most 4096 bytes (§9); a larger one is answered `ERR too_large` and
    the connection stays unregistered."""
    w = t.back_socket()
    body = dict(w.identity, padding="x" * 5000)
    w.send(b"HELLO", json.dumps(body).encode())
    err = expect_err(w, "too_large", "HELLO of 5 KiB")
    expect(err.get("command") == "HELLO", f"ERR too_large of a HELLO: expected command HELLO, came {err}")
    w.send(b"CREDIT", b"1")
    expect_err(w, "hello_required", "CREDIT after a refused HELLO")


@check("§9.1", "with CURVE, a plaintext client gets no answer")
def curve_plaintext_refused(t):
    """A broker with CURVE on answers only CURVE clients whose key is allowed: a plaintext peer
    … gets no answer."""
    if not t.s.curve:
        raise Skip("the suite runs without CURVE (--curve-key)")
    sock = front_socket(t, None)
    expect(answered(t, sock, [b"KZ1", b"PING"]) is None, "a plaintext PING was answered by a CURVE broker")


@check("§9.1", "with CURVE, a key that is not allowed gets no answer")
def curve_unknown_key_refused(t):
    """… and a CURVE client whose key is not in the endpoint's allow-list gets no answer."""
    if not t.s.curve:
        raise Skip("the suite runs without CURVE (--curve-key)")
    sock = front_socket(t, zmq.curve_keypair())
    expect(answered(t, sock, [b"KZ1", b"PING"]) is None, "a PING from an unknown key was answered")


@check("§9.1", "with CURVE, DLQ commands from a key that is no operator are ERR forbidden")
def curve_operator_only(t):
    """Admin commands (`DLQ REQUEUE`, `DLQ PURGE`) are accepted only from operator keys; any
    other allowed key gets `ERR forbidden` and nothing is changed."""
    key = getattr(t.s.args, "producer_key", None)
    if not t.s.curve or not key:
        raise Skip("needs --curve-key and --producer-key (a producer key that is no operator)")
    sock = front_socket(t, zmq.auth.load_certificate(key))
    reply = answered(t, sock, [b"KZ1", b"DLQ", b"PURGE"]) or []
    expect(reply[:2] == [b"KZ1", b"ERR"], f"DLQ PURGE from a producer key: expected ERR forbidden, came {reply[:2]}")
    codes = [e.get("code") for e in load_json(reply[2])["errors"]]
    expect("forbidden" in codes, f"expected ERR forbidden, came ERR {codes}")
