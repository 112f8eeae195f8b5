"""The small harness of the Karez KZ1 conformance suite (see run.py and README.md).

Everything here follows proto-json/PROTOCOL.md; nothing imports project code. A check is a
function registered with @check(section, name); it gets a Test, which owns the sockets of that
check (producers and workers), polls them all together, sends worker heartbeats, and records
anything the broker sends that breaks the framing rules (a "violation" fails the check).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import secrets
import socket
import sys
import time
import uuid
from collections import namedtuple
from dataclasses import dataclass
from pathlib import Path

import zmq
import zmq.auth

TAG = b"KZ1"
DURABILITIES = (b"memory", b"written", b"fsynced")
FIN_OUTCOMES = (b"done", b"dead", b"expired", b"cancelled")     # §3.2: a FIN producer accepts all four
MAX_U64 = 2**64 - 1
NUMBER = re.compile(rb"0|[1-9][0-9]{0,19}")


class Fail(Exception):
    """The broker did not do what the spec says: the message says what was expected and what came."""


class Skip(Exception):
    """The check cannot run against this broker (a limit too large, a kind missing, ...)."""


def expect(condition, message):
    if not condition:
        raise Fail(message)


# ---------------------------------------------------------------------------------------------
# Registry

@dataclass
class Check:
    section: str
    name: str
    func: object

    @property
    def title(self):
        return f"{self.section} {self.name}"


CHECKS: list[Check] = []


def check(section, name):
    """Register a check; its docstring quotes the spec sentence it checks."""
    def register(func):
        CHECKS.append(Check(section, name, func))
        return func
    return register


# ---------------------------------------------------------------------------------------------
# Frames and JSON

def is_number(frame: bytes) -> bool:
    """A §2.1 number frame: 1 to 20 digits, no leading zeros, fits in 64 bits."""
    return bool(NUMBER.fullmatch(frame)) and int(frame) <= MAX_U64


def show(frames, limit=8, width=60) -> str:
    """Frames for a message: `KZ1 ⏐ ERR ⏐ {...}`, each shortened."""
    def one(frame):
        text = repr(frame)[2:-1] if isinstance(frame, bytes) else str(frame)
        return text if len(text) <= width else text[:width - 1] + "…"
    parts = [one(f) for f in frames[:limit]]
    if len(frames) > limit:
        parts.append(f"… ({len(frames)} frames)")
    return " ⏐ ".join(parts) if parts else "(no frames)"


def load_json(raw: bytes) -> dict:
    """A JSON frame as §2.1 and §2.3 require: UTF-8, no byte-order mark, one object, no
    duplicate member names, no NaN/Infinity. Raises ValueError naming the rule broken."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ValueError("starts with a byte-order mark")
    text = raw.decode("utf-8")

    def unique(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise ValueError(f"duplicate member {key!r}")
            seen.add(key)
        return dict(pairs)

    def constant(name):
        raise ValueError(f"{name} is not JSON")

    value = json.loads(text, object_pairs_hook=unique, parse_constant=constant)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def error_body(code, message="refused by the conformance suite", id=None, kind=None) -> bytes:
    body = {"errors": [{"path": "", "code": code, "message": message}]}
    if id is not None:
        body = {"id": id, "kind": kind, **body}
    return json.dumps(body).encode()


class Schemas:
    """The control-body schemas of proto-json/schemas, validated with jsonschema if installed
    (integers must be JSON integers: 5.0 is not an integer, §2.3)."""

    def __init__(self, folder: Path):
        self.folder = folder
        try:
            import jsonschema
        except ImportError:
            self.validator = None
            return
        base = jsonschema.Draft202012Validator
        checker = base.TYPE_CHECKER.redefine(
            "integer", lambda _, value: type(value) is int)
        self.validator = jsonschema.validators.extend(base, type_checker=checker)
        self.cache = {}

    def errors(self, name: str, value: dict) -> list[str]:
        """Schema violations of value against schemas/<name>.schema.json (Skip without jsonschema)."""
        if self.validator is None:
            raise Skip("jsonschema is not installed (python3 -m pip install jsonschema)")
        if name not in self.cache:
            path = self.folder / f"{name}.schema.json"
            if not path.exists():
                raise Skip(f"no schema {path}")
            self.cache[name] = self.validator(json.loads(path.read_text()))
        found = sorted(self.cache[name].iter_errors(value), key=lambda e: list(e.path))
        return [f"{'/'.join(map(str, e.path)) or '(root)'}: {e.message}" for e in found]


# ---------------------------------------------------------------------------------------------
# Items, outcomes, jobs

@dataclass
class Item:
    id: bytes
    kind: bytes
    body: bytes
    options: bytes = b""           # the options frame of PUBX/PUBXW (§3.6); empty: no options

    @property
    def frames(self):
        return [self.id, self.kind, self.body]

    @property
    def xframes(self):
        """The four frames of this item in a PUBX or PUBXW (§3.6)."""
        return [self.id, self.kind, self.options, self.body]


Outcome = namedtuple("Outcome", "command detail")     # ACK durability, NAK error body, BUSY ms, DUP None
Message = namedtuple("Message", "command args at")


@dataclass
class Job:
    delivery: bytes
    id: bytes
    kind: bytes
    attempt: int
    body: bytes
    at: float
    command: bytes = b"JOB"        # JOB, or JOBX (§4.1) with its meta frame
    meta: bytes = None             # JOBX: the meta frame (empty, or a JSON object)


def nak_code(outcome: Outcome) -> str:
    if outcome.command != b"NAK":
        return ""
    try:
        return outcome.detail["errors"][0]["code"]
    except (TypeError, KeyError, IndexError):
        return "(unreadable error body)"


def describe(outcomes) -> str:
    """Outcomes of one id for a failure message: `ACK memory, NAK bad_id`."""
    if not outcomes:
        return "no outcome"
    words = []
    for o in outcomes:
        if o.command == b"NAK":
            words.append(f"NAK {nak_code(o)}")
        elif o.command == b"ACK":
            words.append(f"ACK {o.detail.decode()}")
        elif o.command == b"BUSY":
            words.append(f"BUSY {o.detail}")
        else:
            words.append(o.command.decode())
    return ", ".join(words)


def err_code(args) -> str:
    try:
        return load_json(args[0])["errors"][0]["code"]
    except Exception:
        return "(unreadable error body)"


# ---------------------------------------------------------------------------------------------
# Run-wide state: what this run published and has not finished yet

class Ledger:
    """Ids this run got acknowledged, until they are finished (DONE, FIN) or purged from the
    dead-letter list, so that the suite can leave the broker's queue and DLQ as it found them."""

    def __init__(self):
        self.queued = set()
        self.dead = set()
        self.delivery_id = {}      # delivery -> id, for the latest delivery of each id
        self.latest = {}           # id -> latest delivery

    def accepted(self, ids):
        self.queued.update(ids)

    def delivered(self, id, delivery):
        self.delivery_id[delivery] = id
        self.latest[id] = delivery

    def _current(self, delivery):
        id = self.delivery_id.get(delivery)
        return id if id is not None and self.latest.get(id) == delivery else None

    def done(self, deliveries):
        for d in deliveries:
            id = self._current(d)
            if id is not None:
                self.queued.discard(id)

    def refused(self, delivery):
        id = self._current(delivery)
        if id is not None and id in self.queued:
            self.queued.discard(id)
            self.dead.add(id)

    def finished(self, id, outcome):
        self.queued.discard(id)
        (self.dead.add if outcome == b"dead" else self.dead.discard)(id)

    def purged(self, id):
        self.queued.discard(id)
        self.dead.discard(id)

    def requeued(self, id):
        self.dead.discard(id)
        self.queued.add(id)

    def left(self):
        return sorted(self.queued | self.dead)


class Session:
    """One run: the ZeroMQ context, options, what PING and HELLO told us, the ledger."""

    def __init__(self, args):
        self.args = args
        self.front, self.back = args.front, args.back
        self.timeout = args.timeout
        self.quiet = args.quiet
        self.verbose = args.verbose
        self.drain = args.drain
        self.ctx = zmq.Context()
        # §9.1: with CURVE every socket is a CURVE client of the broker (one key for every role).
        self.curve = None
        if getattr(args, "curve_key", None):
            public, secret = zmq.auth.load_certificate(args.curve_key)
            server, _ = zmq.auth.load_certificate(args.server_key)
            self.curve = (public, secret, server)
        self.run = "kzc" + secrets.token_hex(4)
        self.serial = itertools.count(1)
        self.names = itertools.count(1)
        self.ledger = Ledger()
        self.deliveries = {}       # delivery tag -> (id, attempt), across the run
        self.scheduled = {}        # id -> kind of items published with a delay (cleanup cancels them)
        self.schemas = Schemas(Path(args.schemas))
        self.host = socket.gethostname() or "conformance.invalid"
        self.pong = {}
        self.welcome = {}
        self.rtt = 0.0             # PING round trip, measured in the preflight

    def socket(self, kind):
        """A socket of this run: a CURVE client of the broker when the run has keys."""
        sock = self.ctx.socket(kind)
        if self.curve:
            sock.curve_publickey, sock.curve_secretkey, sock.curve_serverkey = self.curve
        return sock

    # what the broker told us
    @property
    def kinds(self):
        return [k.encode() for k in self.pong.get("kinds", [])]

    @property
    def kind(self):
        kinds = self.kinds
        return b"news" if b"news" in kinds else kinds[0]

    @property
    def other_kind(self):
        others = [k for k in self.kinds if k != self.kind]
        if not others:
            raise Skip(f"the broker accepts only one kind ({self.kind.decode()})")
        return others[0]

    @property
    def max_batch(self):
        return self.pong["max_batch"]

    @property
    def max_credit(self):
        """Most credit plus jobs in flight per worker (WELCOME `max_credit`; absent: 1000000)."""
        return self.welcome.get("max_credit", 1000000)

    @property
    def max_item_bytes(self):
        return self.pong["max_item_bytes"]

    @property
    def lease(self):
        return self.welcome["lease_ms"] / 1000

    @property
    def heartbeat(self):
        return self.welcome["heartbeat_ms"] / 1000

    @property
    def prompt(self):
        """What "at once" allows: a few round trips, at least 0.2 s (less than any retry backoff)."""
        return max(0.2, 5 * self.rtt)

    def new_id(self, label="it") -> bytes:
        return f"{self.run}-{label}-{next(self.serial)}".encode()

    def ours(self, id: bytes) -> bool:
        return self.run.encode() in id

    def log(self, direction, name, frames):
        if self.verbose:
            print(f"    {direction} {name}: {show(frames)}", file=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Endpoints: one socket each

class Endpoint:
    """A DEALER socket with an optional envelope (REQ delimiter, proxy hops) that every send
    carries and every reply must carry back (§2.2). Messages are logged in arrival order; send()
    moves the cursor to the end, so next() returns what came after the last send."""

    def __init__(self, test, address, name, envelope=(), raw=False, routing_id=None, monitor=False):
        self.test, self.name = test, name
        self.envelope = list(envelope)
        self.raw = raw
        self.sock = test.s.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 500)
        if routing_id is not None:
            self.sock.setsockopt(zmq.ROUTING_ID, routing_id)
        # With monitor, handshaken() tells when the connection is up (its ZMTP handshake, CURVE
        # included, done): from then on, silence from the broker is its answer.
        self.monitor = self.sock.get_monitor_socket(zmq.EVENT_HANDSHAKE_SUCCEEDED) if monitor else None
        self.sock.connect(address)
        self.log: list[Message] = []
        self.cursor = 0
        self.last_sent = time.monotonic()
        self.closed = False

    def send(self, *frames):
        """Send KZ1 and these frames, after the envelope."""
        self.send_raw(TAG, *frames)

    def send_raw(self, *frames):
        """Send exactly these frames after the envelope (no tag added)."""
        message = self.envelope + list(frames)
        self.test.s.log(">>", self.name, message)
        self.sock.send_multipart(message)
        self.last_sent = time.monotonic()
        self.cursor = len(self.log)

    def on_message(self, frames):
        self.test.s.log("<<", self.name, frames)
        if self.raw:
            self.log.append(Message(None, frames, time.monotonic()))
            return
        n = len(self.envelope)
        if frames[:n] == self.envelope:
            frames = frames[n:]
        else:
            self.test.violation(f"a reply lost the envelope {show(self.envelope)}: {show(frames)}")
        if len(frames) < 2 or frames[0] != TAG:
            self.test.violation(f"{self.name}: a message without KZ1 tag and command: {show(frames)}")
            return
        self.receive(frames[1], frames[2:])

    def receive(self, command, args):
        self.log.append(Message(command, args, time.monotonic()))

    def arrived(self, ignore=(b"FIN",)):
        return [m for m in self.log[self.cursor:] if m.command not in ignore]

    def _first(self, ignore):
        return next((i for i in range(self.cursor, len(self.log)) if self.log[i].command not in ignore), None)

    def next(self, timeout=None, ignore=(b"FIN",)):
        """The next message after the last send (skipping ignored commands), or None."""
        timeout = self.test.s.timeout if timeout is None else timeout
        self.test.wait(lambda: self._first(ignore) is not None, timeout)
        i = self._first(ignore)
        if i is None:
            return None
        self.cursor = i + 1
        return self.log[i]

    def expect(self, command: bytes, what: str, timeout=None) -> Message:
        """The next message must be `command`; Fail saying what came instead."""
        m = self.next(timeout)
        if m is None:
            raise Fail(f"{what}: expected {command.decode()}, nothing came within {self.waited(timeout)}")
        if m.command != command:
            raise Fail(f"{what}: expected {command.decode()}, came {show([m.command or b'', *m.args])}")
        return m

    def quiet(self, seconds=None, ignore=(b"FIN",)):
        """Messages that arrived within `seconds` after the last send (expected: none)."""
        self.test.sleep(self.test.s.quiet if seconds is None else seconds)
        return self.arrived(ignore)

    def waited(self, timeout):
        return f"{self.test.s.timeout if timeout is None else timeout:g} s"

    def handshaken(self, timeout=None) -> bool:
        """True once the connection's handshake succeeded (needs monitor=True), within `timeout`."""
        timeout = self.test.s.timeout if timeout is None else timeout
        return bool(self.monitor.poll(int(timeout * 1000)))

    def close(self):
        if not self.closed:
            self.closed = True
            self.test.poller.unregister(self.sock)
            if self.monitor is not None:
                self.sock.disable_monitor()
                self.monitor.close(0)
            self.sock.close()


class Producer(Endpoint):
    """A producer on the front endpoint: PUB/PUBW, PING, DLQ."""

    def receive(self, command, args):
        s, check = self.test.s, self.test.violation
        if command == b"ACK":
            if len(args) < 2 or args[0] not in DURABILITIES:
                check(f"ACK needs a durability and at least one id: {show([command, *args])}")
            s.ledger.accepted(a for a in args[1:] if s.ours(a))
        elif command == b"DUP" and not args:
            check("DUP without ids")
        elif command == b"NAK" and len(args) != 2:
            check(f"NAK must have id and error frames: {show([command, *args])}")
        elif command == b"BUSY" and (len(args) < 2 or not is_number(args[0])):
            check(f"BUSY needs a number and at least one id: {show([command, *args])}")
        elif command == b"FIN":
            if len(args) < 2 or args[0] not in FIN_OUTCOMES or len(args) > 1001:
                check(f"FIN needs done|dead|expired|cancelled and 1 to 1000 ids: {show([command, *args])}")
            for id in args[1:]:
                s.ledger.finished(id, args[0])
        elif command in (b"PONG", b"ERR", b"DLQOK", b"CTLOK"):
            if len(args) != 1 or (command == b"DLQOK" and not is_number(args[0])):
                check(f"{command.decode()} must have exactly one frame: {show([command, *args])}")
        elif command not in (b"DUP", b"NAK", b"BUSY"):
            check(f"unknown command from the broker on the front: {show([command, *args])}")
        super().receive(command, args)

    # publishing

    def track(self, items, command):
        """Records these items as this run's (and the delayed ones, which cleanup cancels)."""
        for item in items:
            self.test.mine.add(item.id)
            if command in (b"PUBX", b"PUBXW") and item.options:
                try:
                    options = json.loads(item.options)
                    if isinstance(options, dict) and ("delay_ms" in options or "not_before" in options):
                        self.test.s.scheduled[item.id] = item.kind      # cleanup cancels it if left
                except ValueError:
                    pass

    def pub(self, items, command=b"PUB"):
        self.track(items, command)
        frames = []
        for item in items:
            frames += item.xframes if command in (b"PUBX", b"PUBXW") else item.frames
        self.send(command, *frames)
        return self.cursor

    def outcomes(self, since=0) -> dict:
        """id -> [Outcome] from the messages after log position `since`."""
        found = {}
        for m in self.log[since:]:
            if m.command == b"ACK" and m.args:
                for id in m.args[1:]:
                    found.setdefault(id, []).append(Outcome(b"ACK", m.args[0]))
            elif m.command == b"DUP":
                for id in m.args:
                    found.setdefault(id, []).append(Outcome(b"DUP", None))
            elif m.command == b"NAK" and len(m.args) == 2:
                try:
                    detail = load_json(m.args[1])
                except ValueError as e:
                    detail = {"unreadable": str(e)}
                found.setdefault(m.args[0], []).append(Outcome(b"NAK", detail))
            elif m.command == b"BUSY" and len(m.args) >= 2 and is_number(m.args[0]):
                for id in m.args[1:]:
                    found.setdefault(id, []).append(Outcome(b"BUSY", int(m.args[0])))
        return found

    def collect(self, ids, since=None, timeout=None, settle=False) -> dict:
        """Wait until every id has an outcome (or an ERR came); with settle, wait a quiet
        window more so that extra outcomes show. Returns id -> [Outcome]."""
        since = self.cursor if since is None else since
        ids = list(ids)
        timeout = self.test.s.timeout if timeout is None else timeout

        def complete():
            got = self.outcomes(since)
            # §3.2: a reply echoes at most the first 128 bytes of an id frame.
            return all(i in got or i[:128] in got for i in ids) or any(m.command == b"ERR" for m in self.log[since:])
        self.test.wait(complete, timeout)
        if settle:
            self.test.sleep(self.test.s.quiet)
        return self.outcomes(since)

    def publish(self, items, command=b"PUBW", allow_dup=False) -> dict:
        """Publish and require ACK (or DUP if allowed) for every item."""
        since = self.pub(items, command)
        got = self.collect([i.id for i in items], since)
        errs = [m for m in self.log[since:] if m.command == b"ERR"]
        expect(not errs, f"{command.decode()} answered ERR {err_code(errs[0].args) if errs else ''}")
        accepted = (b"ACK", b"DUP") if allow_dup else (b"ACK",)
        for item in items:
            outs = got.get(item.id, [])
            expect(len(outs) == 1 and outs[0].command in accepted,
                   f"{item.id.decode(errors='replace')}: expected {'ACK or DUP' if allow_dup else 'ACK'},"
                   f" came {describe(outs)}")
        return got

    def fins_now(self, ids) -> dict:
        """FINs received so far for these ids: id -> b"done"/b"dead"/b"expired"/b"cancelled"."""
        ids, got = set(ids), {}
        for m in self.log:
            if m.command == b"FIN" and m.args:
                for id in m.args[1:]:
                    if id in ids:
                        got.setdefault(id, m.args[0])
        return got

    def fins(self, ids, timeout=None) -> dict:
        """Wait for FIN of these ids: id -> b"done"/b"dead" for those that came."""
        ids = set(ids)
        self.test.wait(lambda: len(self.fins_now(ids)) == len(ids),
                       self.test.s.timeout if timeout is None else timeout)
        return self.fins_now(ids)

    def fin(self, id, outcome=b"done", what="FIN", timeout=None):
        got = self.fins([id], timeout).get(id)
        expect(got == outcome, f"{what}: expected FIN {outcome.decode()} for {id.decode()}, "
                               f"{'came FIN ' + got.decode() if got else 'no FIN came'}")

    # control

    def ping(self) -> dict:
        self.send(b"PING")
        m = self.expect(b"PONG", "PING")
        return load_json(m.args[0])

    def ctl(self, request) -> Message:
        """Send `CTL request-json` (a dict, or raw bytes) and return the reply (CTLOK or ERR)."""
        raw = request if isinstance(request, bytes) else json.dumps(request).encode()
        self.send(b"CTL", raw)
        m = self.next()
        if m is None:
            raise Fail(f"CTL {raw[:80]!r}: no reply within {self.waited(None)}")
        if m.command == b"CTLOK" and isinstance(request, dict) and request.get("action") == "cancel":
            try:
                reply = load_json(m.args[0])
                for id in reply.get("cancelled", []):
                    self.test.s.ledger.finished(id.encode(), b"cancelled")
                for entry in reply.get("finished", []):
                    if entry.get("state") in ("done", "expired", "cancelled"):
                        self.test.s.ledger.finished(entry["id"].encode(), entry["state"].encode())
            except (ValueError, AttributeError, KeyError, TypeError):
                pass                        # the check reports an unreadable reply
        return m

    def ctl_ok(self, request, what="CTL") -> dict:
        """CTL that must be answered CTLOK; returns the reply body."""
        m = self.ctl(request)
        expect(m.command == b"CTLOK", f"{what}: expected CTLOK, came {show([m.command, *m.args])}"
                                      + (f" ({m.args[0][:200].decode(errors='replace')})" if m.command == b"ERR" else ""))
        return load_json(m.args[0])

    def dlq(self, action, ids) -> int:
        self.send(b"DLQ", action, *ids)
        m = self.expect(b"DLQOK", f"DLQ {action.decode()}")
        n = int(m.args[0])
        if action == b"PURGE" and len(ids) == 1 and n == 1:
            self.test.s.ledger.purged(ids[0])
        if action == b"REQUEUE" and len(ids) == 1 and n == 1:
            self.test.s.ledger.requeued(ids[0])
        return n


class Worker(Endpoint):
    """A worker on the back endpoint. JOBs for this check's items go to .jobs; jobs of earlier
    checks of this run (strays) are DONE at once and their credit given back."""

    def __init__(self, test, name, kinds=None, incarnation=None, auto_hb=True, accepts=None):
        super().__init__(test, test.s.back, name)
        s = test.s
        self.identity = {"name": f"{s.run}-{name}", "host": s.host, "pid": os.getpid(),
                         "incarnation": incarnation or uuid.uuid4().hex, "concurrency": 8,
                         "version": "conformance-1"}
        if kinds is not None:
            self.identity["kinds"] = [k.decode() for k in kinds]
        if accepts is not None:             # §6.3: broker commands beyond JOB it understands
            self.identity["accepts"] = [a.decode() if isinstance(a, bytes) else a for a in accepts]
        self.cancels = []          # (delivery, arrival time) of every CANCEL (§4.1)
        self.auto_hb = auto_hb
        self.bye_on_close = True
        self.welcome = None
        self.jobs: list[Job] = []
        self.job_sizes = []        # jobs per JOB message
        self.jobs_total = 0        # every job received, strays included
        self.credit_total = 0      # every credit granted
        self.heartbeats = []       # arrival times of broker HBs

    @property
    def hb(self):
        return (self.welcome or self.test.s.welcome)["heartbeat_ms"] / 1000

    def accepts(self, command: bytes) -> bool:
        return command.decode() in self.identity.get("accepts", [])

    def receive(self, command, args):
        if command == b"JOB":
            self.on_jobs(args)
        elif command == b"JOBX":
            if not self.accepts(b"JOBX"):
                self.test.violation(f"JOBX to a worker whose HELLO accepts does not list JOBX: {show(args)}")
            self.on_jobs(args, width=6)
        elif command == b"CANCEL":
            if not self.accepts(b"CANCEL"):
                self.test.violation(f"CANCEL to a worker whose HELLO accepts does not list CANCEL: {show(args)}")
            if not args or not all(is_number(a) for a in args):
                self.test.violation(f"CANCEL needs deliveries (numbers), at least one: {show(args)}")
            now = time.monotonic()
            self.cancels += [(a, now) for a in args]
            super().receive(command, args)
        elif command == b"HB":
            if args:
                self.test.violation(f"HB with frames: {show(args)}")
            self.heartbeats.append(time.monotonic())
        else:
            if command not in (b"WELCOME", b"ERR", b"DRAINED"):
                self.test.violation(f"unknown command from the broker on the back: {show([command, *args])}")
            elif command == b"DRAINED":
                if args:
                    self.test.violation(f"DRAINED with frames: {show(args)}")
            elif len(args) != 1:
                self.test.violation(f"{command.decode()} must have exactly one frame: {show([command, *args])}")
            super().receive(command, args)

    def on_jobs(self, args, width=5):
        """JOB (5 frames per job) or JOBX (6: a meta frame before the body, §4.1)."""
        s, now = self.test.s, time.monotonic()
        command = b"JOB" if width == 5 else b"JOBX"
        if not args or len(args) % width:
            self.test.violation(f"{command.decode()} frames are not a positive multiple of {width}: {len(args)}")
            return
        self.job_sizes.append(len(args) // width)
        if width == 6 and not any(args[i + 4] for i in range(0, len(args), 6)):
            self.test.violation(f"JOBX although no job of the message has meta: {show(args)}")
        strays, foreign = [], 0
        for i in range(0, len(args), width):
            if width == 5:
                delivery, id, kind, attempt, body = args[i:i + 5]
                meta = None
            else:
                delivery, id, kind, attempt, meta, body = args[i:i + 6]
                if meta:
                    try:
                        load_json(meta)
                    except ValueError as e:
                        self.test.violation(f"JOBX meta is neither empty nor a JSON object ({e}): {show([meta])}")
                    if len(meta) > 4096:
                        self.test.violation(f"JOBX meta of {len(meta)} bytes, at most 4096")
            self.jobs_total += 1
            if not is_number(delivery) or not is_number(attempt) or attempt == b"0":
                self.test.violation(f"{command.decode()} delivery/attempt not numbers ≥ 1: {show(args[i:i + width])}")
                continue
            seen = s.deliveries.get(delivery)
            if seen is not None:
                self.test.violation(f"delivery tag {delivery.decode()} reused: {seen} and {(id, attempt)}")
            s.deliveries[delivery] = (id, attempt)
            s.ledger.delivered(id, delivery)
            job = Job(delivery, id, kind, int(attempt), body, now, command, meta)
            if id in self.test.mine:
                self.jobs.append(job)
            elif s.ours(id) or s.drain:
                strays.append(delivery)
            else:
                foreign += 1                    # another producer's item: held until BYE
        self.test.foreign += foreign
        if strays:
            self.done(*strays)
        if strays or foreign:
            self.credit(len(strays) + foreign)      # give back what strays and foreign jobs took

    # commands

    def hello(self, body=None, what="HELLO") -> dict:
        self.send(b"HELLO", body if body is not None else json.dumps(self.identity).encode())
        m = self.expect(b"WELCOME", what)
        self.welcome = load_json(m.args[0])
        return self.welcome

    def credit(self, n):
        if n:
            self.credit_total += n
            self.send(b"CREDIT", str(n).encode())

    def done(self, *deliveries):
        for start in range(0, len(deliveries), 1000):
            self.send(b"DONE", *deliveries[start:start + 1000])
        self.test.s.ledger.done(deliveries)

    def fail(self, job: Job, retryable: bool, code="internal"):
        body = error_body(code, "conformance suite: refused on purpose", job.id.decode(), job.kind.decode())
        self.send(b"FAIL", job.delivery, b"1" if retryable else b"0", body)
        if not retryable:
            self.test.s.ledger.refused(job.delivery)

    def extend(self, *deliveries):
        self.send(b"EXTEND", *deliveries)

    def progress(self, delivery, percent):
        self.send(b"PROGRESS", delivery, str(percent).encode())

    def bye(self):
        self.send(b"BYE")
        self.welcome = None

    # jobs

    def take(self, ids, timeout=None, what="jobs") -> dict:
        """Wait for a job for each id; remove and return them (id -> Job)."""
        ids, wanted = list(ids), set(ids)
        timeout = self.test.s.timeout if timeout is None else timeout
        self.test.wait(lambda: wanted <= {j.id for j in self.jobs}, timeout)
        got = {}
        for job in list(self.jobs):
            if job.id in ids and job.id not in got:
                got[job.id] = job
                self.jobs.remove(job)
        missing = [i.decode() for i in ids if i not in got]
        expect(not missing, f"{what}: no job for {', '.join(missing[:5])}"
                            f"{' …' if len(missing) > 5 else ''} within {timeout:g} s")
        return got

    def take_one(self, id, timeout=None, what="job") -> Job:
        return self.take([id], timeout, what)[id]

    def jobs_for(self, ids):
        return [j for j in self.jobs if j.id in set(ids)]

    def heartbeat(self, now):
        if self.auto_hb and self.welcome and not self.closed and now - self.last_sent >= self.hb / 3:
            cursor = self.cursor
            self.send(b"HB")
            self.cursor = cursor        # a heartbeat is not a request: keep what came after the last one

    def close(self):
        if not self.closed and self.bye_on_close and self.welcome:
            self.send(b"BYE")
        super().close()


# ---------------------------------------------------------------------------------------------
# One check's context

class Test:
    """The sockets of one check, polled together; closed (workers say BYE) when the check ends."""

    def __init__(self, session: Session, title="setup"):
        self.s = session
        self.title = title
        self.poller = zmq.Poller()
        self.endpoints: dict = {}
        self.mine: set = set()
        self.violations: list[str] = []
        self.foreign = 0
        # Endpoint names are unique over the run: a worker name stays taken while its holder is
        # live (§4.2), and a check's workers may outlive it by a few heartbeats.
        self.names = session.names

    # sockets

    def _add(self, endpoint):
        self.endpoints[endpoint.sock] = endpoint
        self.poller.register(endpoint.sock, zmq.POLLIN)
        return endpoint

    def producer(self, envelope=(), raw=False, routing_id=None, monitor=False) -> Producer:
        return self._add(Producer(self, self.s.front, f"producer{next(self.names)}", envelope, raw, routing_id, monitor))

    def back_socket(self, name=None) -> Worker:
        """A worker socket that has not said HELLO (with `name`: another worker's name)."""
        return self._add(Worker(self, name or f"w{next(self.names)}"))

    def worker(self, credit=0, kinds=None, incarnation=None, name=None, auto_hb=True, accepts=None) -> Worker:
        """A worker that said HELLO (with `accepts`: the broker commands beyond JOB it
        understands, §4.1) and got WELCOME, with `credit` asked for."""
        w = self._add(Worker(self, name or f"w{next(self.names)}", kinds, incarnation, auto_hb, accepts))
        w.hello()
        w.credit(credit)
        return w

    def req_socket(self):
        sock = self.s.socket(zmq.REQ)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.RCVTIMEO, int(self.s.timeout * 1000))
        sock.connect(self.s.front)
        return sock

    # items

    def item(self, label="it", kind=None, body=None, id=None, options=None) -> Item:
        id = self.s.new_id(label) if id is None else id
        kind = self.s.kind if kind is None else kind
        if body is None:
            body = json.dumps({"id": id.decode(errors="replace"), "kind": kind.decode(errors="replace"),
                               "title": "Karez conformance",
                               "body": "an item of the KZ1 conformance suite"}).encode()
        self.mine.add(id)
        if isinstance(options, dict):
            options = json.dumps(options).encode()
        return Item(id, kind, body, options or b"")

    def items(self, n, label="it", kind=None):
        return [self.item(label, kind) for _ in range(n)]

    # polling

    def pump(self, seconds):
        for sock, _ in self.poller.poll(max(0.0, seconds) * 1000):
            endpoint = self.endpoints.get(sock)
            while endpoint is not None and not endpoint.closed:
                try:
                    frames = sock.recv_multipart(zmq.NOBLOCK)
                except zmq.Again:
                    break
                endpoint.on_message(frames)
        now = time.monotonic()
        for endpoint in list(self.endpoints.values()):
            if isinstance(endpoint, Worker):
                endpoint.heartbeat(now)

    def wait(self, condition, seconds) -> bool:
        deadline = time.monotonic() + seconds
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return bool(condition())
            self.pump(min(left, 0.05))
        return True

    def sleep(self, seconds):
        self.wait(lambda: False, seconds)

    def violation(self, text):
        self.violations.append(text)

    def close(self):
        for endpoint in list(self.endpoints.values()):
            endpoint.close()
        self.endpoints.clear()
