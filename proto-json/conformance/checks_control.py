"""Checks of control over work: `PUBX`/`PUBXW` options (§3.6) and the `FIN` outcomes `expired` and
`cancelled` (§3.2), `CTL` (§3.7), `PROGRESS`, `JOBX` and `CANCEL` (§4.1) and their limits (§9).
Each check's docstring quotes the sentence it checks.

Every check leaves the broker as it found it: a kind it pauses or limits is resumed and its limits
restored (`controlled`), and every item it publishes is finished (DONE, expired or cancelled)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import zmq.auth

from harness import Fail, Skip, check, describe, err_code, expect, load_json, show
from steps import dead_letter, expect_err, expect_silence, finish, job_line, no_job, publish_one, purge
from checks_back import held_job, needs_short_lease
from checks_security import answered, front_socket

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
MAX_DELAY_MS = 31_622_400_000          # 366 days (§3.6, §9)
EARLY = 0.01                           # the broker's millisecond clock may round down


# ---------------------------------------------------------------------------------------------
# Helpers

def opts(**members) -> bytes:
    return json.dumps(members).encode()


def rfc3339(wall: float, hours=0, fraction=False) -> str:
    """A §2.3 date-time with an offset: `2024-01-10T09:30:00+08:00` (UTC: `…Z`)."""
    zone = timezone(timedelta(hours=hours))
    text = datetime.fromtimestamp(wall, zone).isoformat(timespec="milliseconds" if fraction else "seconds")
    return text[:-6] + "Z" if hours == 0 else text


def wall(at: float) -> float:
    """The wall-clock time of a monotonic instant of this process."""
    return time.time() - (time.monotonic() - at)


def reply_at(p, since, command, id) -> float:
    """Arrival time of the first `command` (ACK, FIN) after log position `since` naming id."""
    for m in p.log[since:]:
        if m.command == command and id in m.args[1:]:
            return m.at
    raise Fail(f"no {command.decode()} for {id.decode()} came")


def fin_at(p, id) -> float:
    return reply_at(p, 0, b"FIN", id)


def utf8(frame: bytes) -> bool:
    try:
        frame.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def vectors(t, schema: str, verdict: str) -> list:
    """The test vectors of PROTOCOL.md §12 for a schema: [(name, raw bytes, expected {path, code}
    or None)], the expectations from `check.py --errors` (which needs jsonschema)."""
    folder = Path(t.s.args.schemas).resolve().parent
    files = sorted((folder / "examples" / schema / verdict).glob("*.json"))
    if not files:
        raise Skip(f"no vectors in {folder / 'examples' / schema / verdict}")
    errors = {}
    if verdict == "invalid":
        if not hasattr(t.s, "vector_errors"):
            run = subprocess.run([sys.executable, str(folder / "check.py"), "--errors"], capture_output=True, timeout=60)
            try:
                t.s.vector_errors = json.loads(run.stdout)
            except ValueError:
                t.s.vector_errors = None
        if t.s.vector_errors is None:
            raise Skip("`check.py --errors` gave no expectations (is jsonschema installed?)")
        errors = t.s.vector_errors
    return [(f.name, f.read_bytes(), errors.get(f"{schema}/{verdict}/{f.name}")) for f in files]


def outcome_of(p, since, item):
    got = p.collect([item.id], since)
    return got.get(item.id, [])


def status(p, what="CTL status") -> dict:
    return p.ctl_ok({"action": "status"}, what)


def kind_status(reply: dict, kind: bytes, what="CTL status") -> dict:
    kinds = reply.get("kinds")
    expect(isinstance(kinds, list), f"{what}: `kinds` must be a list, came {kinds!r}")
    found = [k for k in kinds if isinstance(k, dict) and k.get("kind") == kind.decode()]
    expect(len(found) == 1, f"{what}: expected one status of kind {kind.decode()} in `kinds`, came {len(found)}")
    return found[0]


def is_count(value) -> bool:
    return type(value) is int and value >= 0


def is_number(value) -> bool:
    return type(value) in (int, float) and value >= 0 and math.isfinite(value)


def no_limit(value) -> bool:
    """A lifted limit: §3.7 does not say how a kind's status shows "no limit"; 0 (as the metrics
    `kind_concurrency_limit` of §5.3: "0 for none") or null are taken."""
    return value in (0, None) and type(value) is not bool


def kind_status_problems(st, kind: bytes) -> list[str]:
    """What breaks §3.7's kind status `{"kind", "ready", "scheduled", "in_flight",
    "oldest_ready_age_s", "paused", "concurrency", "rate"}` with an optional `progress` list."""
    if not isinstance(st, dict):
        return [f"a kind's status must be an object, came {st!r}"]
    problems = []
    if st.get("kind") != kind.decode():
        problems.append(f"kind {st.get('kind')!r}, expected {kind.decode()!r}")
    for member in ("ready", "scheduled", "in_flight"):
        if not is_count(st.get(member)):
            problems.append(f"{member} must be an integer ≥ 0, came {st.get(member)!r}")
    if not is_number(st.get("oldest_ready_age_s")):
        problems.append(f"oldest_ready_age_s must be a number ≥ 0, came {st.get('oldest_ready_age_s')!r}")
    if type(st.get("paused")) is not bool:
        problems.append(f"paused must be true or false, came {st.get('paused')!r}")
    for member in ("concurrency", "rate"):
        if member not in st:
            problems.append(f"no member {member}")
        elif st[member] is not None and not is_number(st[member]):
            problems.append(f"{member} must be a number ≥ 0, came {st[member]!r}")
    progress = st.get("progress", [])
    if not isinstance(progress, list) or len(progress) > 20:
        problems.append(f"progress must be a list of at most 20, came {str(progress)[:80]}")
    else:
        for entry in progress:
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), str)
                    and isinstance(entry.get("worker"), str) and entry.get("worker")
                    and type(entry.get("percent")) is int and 0 <= entry["percent"] <= 100
                    and is_number(entry.get("running_s"))):
                problems.append(f"a progress entry must be {{id, worker, percent 0-100, running_s ≥ 0}}, came {entry!r}")
    return problems


def expect_kind_status(st, kind, what):
    problems = kind_status_problems(st, kind)
    expect(not problems, f"{what}: the kind's status breaks §3.7: {'; '.join(problems[:3])}")


def restore(p, kind: bytes, before: dict) -> list[str]:
    """Put a kind's pause and limits back as `before` (its status) had them."""
    problems = []
    for request in ({"action": "pause" if before.get("paused") else "resume", "kind": kind.decode()},
                    {"action": "limit", "kind": kind.decode(),
                     "concurrency": before.get("concurrency") or 0, "rate": before.get("rate") or 0}):
        try:
            m = p.ctl(request)
            if m.command != b"CTLOK":
                problems.append(f"{json.dumps(request)}: came {show([m.command, *m.args])}")
        except Fail as e:
            problems.append(str(e))
    return problems


@contextmanager
def controlled(t, kinds=None):
    """Run the body with these kinds (default: the suite's kind) as they are, and afterwards
    restore their pause and limits as they were, whatever happened."""
    kinds = kinds or [t.s.kind]
    p = t.producer()
    reply = status(p, "CTL status before the check")
    before = {k: kind_status(reply, k) for k in kinds}
    for k, st in before.items():
        if st.get("paused") or st.get("concurrency") or st.get("rate"):
            raise Skip(f"kind {k.decode()} is paused or limited already ({st}): the check needs it free")
    ok = False
    try:
        yield p
        ok = True
    finally:
        problems = [x for k in kinds for x in restore(p, k, before[k])]
        if problems and ok:
            raise Fail("restoring the kind's pause and limits: " + "; ".join(problems[:2]))


def cancel(p, kind: bytes, ids, what="CTL cancel") -> dict:
    reply = p.ctl_ok({"action": "cancel", "kind": kind.decode(), "ids": [i.decode() for i in ids]}, what)
    for member in ("cancelled", "finished", "unknown"):
        expect(isinstance(reply.get(member), list), f"{what}: the reply needs a list `{member}`, came {reply}")
    return reply


def cancel_quietly(t, items):
    """Cleanup: cancel items that may still be scheduled (ignores the reply)."""
    by_kind = {}
    for item in items:
        if item.id in t.s.ledger.queued:
            by_kind.setdefault(item.kind, []).append(item.id.decode())
    if by_kind:
        p = t.producer()
        for kind, ids in by_kind.items():
            p.ctl({"action": "cancel", "kind": kind.decode(), "ids": ids})


def ctl_err(p, request, codes, what) -> dict:
    """CTL that must be answered ERR with one of `codes` (any code if None); returns the body."""
    m = p.ctl(request)
    expect(m.command == b"ERR", f"{what}: expected ERR {'/'.join(codes or ['…'])}, came {show([m.command, *m.args])}")
    body = load_json(m.args[0])
    got = [e.get("code") for e in body.get("errors", [])]
    expect(codes is None or set(got) & set(codes),
           f"{what}: expected ERR {' or '.join(codes or [])}, came ERR {got} "
           f"({'; '.join(e.get('message', '') for e in body.get('errors', []))[:160]})")
    return body


def in_order(w, ids, what):
    """The worker (credit 0) takes these items one at a time (CREDIT 1, DONE, CREDIT 1 …); returns
    the ids in the order they came."""
    order, wanted = [], set(ids)
    while len(order) < len(ids):
        w.credit(1)
        t = w.test
        t.wait(lambda: any(j.id in wanted for j in w.jobs), t.s.timeout)
        mine = [j for j in w.jobs if j.id in wanted]
        expect(mine, f"{what}: after {len(order)} of {len(ids)} items no job came for CREDIT 1")
        expect(len(mine) == 1, f"{what}: CREDIT 1 brought {len(mine)} jobs")
        job = mine[0]
        w.jobs.remove(job)
        wanted.discard(job.id)
        order.append(job.id)
        w.done(job.delivery)
    return order


def nak_cases(t, p, cases, what, command=b"PUBX"):
    """Publish one item per case (options frame, expected {(path, code)} — a code of None
    means any code, a tuple several allowed codes) in one message; each must get exactly one
    outcome, NAK with exactly those errors, paths under /options, the NAK body naming id and kind."""
    items = [t.item("nak") for _ in cases]
    for item, (options, _) in zip(items, cases):
        item.options = options
    got = p.collect([i.id for i in items], p.pub(items, command))
    errs = [m for m in p.arrived() if m.command == b"ERR"]
    expect(not errs, f"{what}: the {command.decode()} was answered ERR {err_code(errs[0].args) if errs else ''}")
    failures, stored = [], []
    for item, (options, expected) in zip(items, cases):
        outs = got.get(item.id, [])
        if len(outs) != 1 or outs[0].command != b"NAK":
            failures.append(f"options {options[:70]!r}: expected NAK, came {describe(outs)}")
            if any(o.command in (b"ACK", b"DUP") for o in outs):
                stored.append(item)
            continue
        body = outs[0].detail
        errors = [(e.get("path"), e.get("code")) for e in body.get("errors", [])]
        if body.get("id") != item.id.decode() or body.get("kind") != item.kind.decode():
            failures.append(f"options {options[:50]!r}: the NAK body must name id and kind, came {body}")
        want_paths = sorted(path for path, _ in expected)
        ok = sorted(path for path, _ in errors) == want_paths and all(
            any(path == wp and (wc is None or code in ((wc,) if isinstance(wc, str) else wc))
                for wp, wc in expected)
            for path, code in errors)
        if not ok or not all(path.startswith("/options") for path, _ in errors):
            failures.append(f"options {options[:70]!r}: expected "
                            + ", ".join(f"{c if isinstance(c, str) else '/'.join(c) if c else 'any code'} at {pth}"
                                        for pth, c in expected)
                            + ", came " + ", ".join(f"{c} at {pth!r}" for pth, c in errors))
    if stored:
        cancel_quietly(t, stored)
        finish(t, [i for i in stored if i.id in t.s.ledger.queued])
    expect(not failures, f"{what}: {len(failures)} of {len(cases)} wrong: " + "; ".join(failures[:4]))
    return items


# ---------------------------------------------------------------------------------------------
# §3.6 PUBX options: delay, not_before

@check("§3.6", "a PUBXW item with delay_ms is ACKed at once, not delivered before its time, delivered soon after, FIN after DONE")
def delay_ms(t):
    """**Delay.** An item with a delay is acknowledged (and journalled) at once, and is not
    delivered before its time. Once its time has come, it is ready like any other item; the Karez
    broker hands it to a worker with credit within a few milliseconds (here: within 1 s)."""
    delay = 1.5
    w = t.worker(credit=1)
    p = t.producer()
    item = t.item("delay", options={"delay_ms": int(delay * 1000)})
    sent = time.monotonic()
    since = p.pub([item], b"PUBXW")
    outs = outcome_of(p, since, item)
    expect([o.command for o in outs] == [b"ACK"], f"PUBXW with delay_ms: expected ACK, came {describe(outs)}")
    acked = reply_at(p, since, b"ACK", item.id) - sent
    expect(acked < delay / 2, f"ACK came {acked:.2f} s after the PUBXW with delay_ms {delay * 1000:g}: "
                              f"expected at once, not after the delay")
    t.wait(lambda: w.jobs_for([item.id]), sent + acked + delay + 1.0 - time.monotonic())
    jobs = w.jobs_for([item.id])
    expect(jobs, f"no job within {delay + 1.0 + acked:.2f} s of publishing with delay_ms {delay * 1000:g} "
                 f"(a worker with credit waited)")
    job = w.take_one(item.id)
    expect(job.at - sent >= delay - EARLY, f"delivered {job.at - sent:.3f} s after the PUBXW, before its "
                                           f"delay_ms {delay * 1000:g}")
    expect(not p.fins_now([item.id]), f"FIN {p.fins_now([item.id]).get(item.id, b'').decode()} before the job was DONE")
    w.done(job.delivery)
    p.fin(item.id, b"done", "DONE of the delayed item")


@check("§3.6", "a PUBX item with not_before (offset +08:00) is not delivered before that time, delivered soon after")
def not_before(t):
    """`not_before`: RFC 3339 date-time with offset: not delivered before this time (the broker's
    clock). (The suite takes its own clock for the broker's: run it on the broker's host, or with
    synchronised clocks.)"""
    target = math.floor(time.time()) + 2.0                  # a whole second 1 to 2 s ahead
    w = t.worker(credit=1)
    p = t.producer()
    item = t.item("nbf", options={"not_before": rfc3339(target, hours=8)})
    p.publish([item], b"PUBX")
    t.wait(lambda: w.jobs_for([item.id]), target + 1.0 - time.time())
    expect(w.jobs_for([item.id]), f"no job within 1 s after not_before {rfc3339(target, hours=8)}")
    job = w.take_one(item.id)
    w.done(job.delivery)
    at = wall(job.at)
    expect(at >= target - EARLY, f"delivered {target - at:.3f} s before its not_before {rfc3339(target, hours=8)}")


@check("§3.6", "options within their rules are ACKed and delivered; an empty options frame or {} means no options")
def options_valid(t):
    """options: empty: no options (the item is as if published with `PUB`); else a JSON object
    of at most 1024 bytes. `not_before` in the past: ready at once; priority 0 and 9, `ttl_ms`
    31 622 400 000, `expires_at` with an offset, fractional seconds, `traceparent`: acknowledged."""
    now = time.time()
    padded = b'{"priority": 1, "traceparent": "' + TRACEPARENT.encode() + b'"}'
    padded = b" " * (1024 - len(padded)) + padded           # exactly 1024 bytes, JSON whitespace
    frames = [b"", b"{}", b" \t\r\n{ }\n", opts(delay_ms=0), opts(priority=0), opts(priority=9),
              opts(ttl_ms=MAX_DELAY_MS), opts(expires_at=rfc3339(now + 86400, hours=8)),
              opts(not_before=rfc3339(now - 86400, fraction=True)), opts(not_before="2020-01-01T00:00:00.5+05:30"),
              opts(traceparent=TRACEPARENT),
              opts(delay_ms=0, priority=3, ttl_ms=60000, traceparent=TRACEPARENT), padded]
    p = t.producer()
    items = [t.item("ov", options=f) for f in frames]
    since = p.pub(items, b"PUBXW")
    got = p.collect([i.id for i in items], since)
    bad = [f"{i.options[:60]!r}: {describe(got.get(i.id))}" for i in items
           if [o.command for o in got.get(i.id, [])] != [b"ACK"]]
    if bad:
        cancel_quietly(t, items)
        raise Fail(f"expected ACK for every valid options frame; {len(bad)} not: " + "; ".join(bad[:3]))
    w = t.worker(credit=len(items))
    jobs = w.take([i.id for i in items], what="items whose options let them go at once")
    w.done(*[j.delivery for j in jobs.values()])
    changed = [i.id.decode() for i in items if jobs[i.id].body != i.body or jobs[i.id].kind != i.kind]
    expect(not changed, f"JOB body or kind differs from the one published with PUBXW: {changed[:3]}")
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for all, came {fins}")


@check("§3.6", "a DUP keeps the options of the copy that was accepted")
def dup_keeps_options(t):
    """Options are kept with the item … A `DUP` of an item keeps the options of the copy that
    was accepted."""
    delay = 1.5
    w = t.worker(credit=2)
    p = t.producer()
    late = t.item("dupo", options={"delay_ms": int(delay * 1000)})
    sent = time.monotonic()
    p.publish([late], b"PUBX")
    got = p.collect([late.id], p.pub([late]))                 # the same item again without options
    expect([o.command for o in got.get(late.id, [])] == [b"DUP"],
           f"PUB of an item accepted with PUBX: expected DUP, came {describe(got.get(late.id))}")
    soon = t.item("dupo")
    p.publish([soon], b"PUB")
    soon.options = opts(delay_ms=60000)                       # and with a delay after PUB
    got = p.collect([soon.id], p.pub([soon], b"PUBX"))
    expect([o.command for o in got.get(soon.id, [])] == [b"DUP"],
           f"PUBX of an item accepted with PUB: expected DUP, came {describe(got.get(soon.id))}")
    first = w.take_one(soon.id, what="an item accepted with PUB, then sent again with delay_ms 60000")
    w.done(first.delivery)
    t.wait(lambda: w.jobs_for([late.id]), sent + delay + 1.0 - time.monotonic())
    job = w.take_one(late.id, 0, f"the item accepted with delay_ms {delay * 1000:g}")
    w.done(job.delivery)
    expect(job.at - sent >= delay - EARLY, f"an item accepted with delay_ms {delay * 1000:g} and sent again "
                                           f"without options came {job.at - sent:.3f} s after: before its time")


# ---------------------------------------------------------------------------------------------
# §3.6 priority

@check("§3.6", "under a backlog higher priorities are delivered first, oldest first within a priority")
def priority_order(t):
    """**Priority.** Among the ready items a worker may take, a higher priority goes first, and
    items of one priority go oldest first. (Items published one by one while no worker has credit,
    then taken with CREDIT 1 at a time.)"""
    priorities = [0, 6, 3, 0, 6, 3, 0, 6, 3]        # 3 levels apart: aging within the run cannot reorder
    p = t.producer()
    items = []
    for prio in priorities:
        item = t.item(f"prio{prio}", options={"priority": prio})
        p.publish([item], b"PUBX")                   # one at a time: their age order is certain
        items.append(item)
    w = t.worker()
    order = in_order(w, [i.id for i in items], "backlog of 9 items")
    prio_of = {i.id: p_ for i, p_ in zip(items, priorities)}
    expected = [i.id for _, _, i in sorted(((-p_, n, i) for n, (i, p_) in enumerate(zip(items, priorities))),
                                           key=lambda x: (x[0], x[1]))]
    expect(order == expected, "expected priorities " + " ".join(str(prio_of[i]) for i in expected)
                              + " oldest first within each; came " + " ".join(
                                  f"{prio_of[i]}#{[x.id for x in items].index(i)}" for i in order))


@check("§3.6", "a waiting item's effective priority rises one level per --priority-aging-ms")
def priority_aging(t):
    """**Starvation:** an item's effective priority rises by one for every `--priority-aging-ms`
    … it has been ready, up to 9, and among equal effective priorities the older item goes first.
    (Priority 0 ready for more than 3 agings goes before a fresh priority 2, after a fresh 9.)"""
    aging_ms = getattr(t.s.args, "priority_aging_ms", None)
    if not aging_ms:
        raise Skip("needs --priority-aging-ms, the broker's (scripts/conformance.sh gives 500)")
    if aging_ms > 3000:
        raise Skip(f"--priority-aging-ms {aging_ms} is too long to wait 3 of")
    aging = aging_ms / 1000
    p = t.producer()
    old = t.item("aged", options={"priority": 0})
    p.publish([old], b"PUBX")
    ready = time.monotonic()
    t.sleep(3.3 * aging)                             # the precondition is time: the item waits, ready
    two, nine = t.item("aged", options={"priority": 2}), t.item("aged", options={"priority": 9})
    p.publish([two, nine], b"PUBX")
    w = t.worker()
    order = in_order(w, [old.id, two.id, nine.id], "aged priority 0, fresh 2 and 9")
    waited = time.monotonic() - ready
    names = {old.id: f"priority 0 ready {waited:.1f} s", two.id: "fresh priority 2", nine.id: "fresh priority 9"}
    expect(order == [nine.id, old.id, two.id],
           f"--priority-aging-ms {aging_ms}: expected fresh 9, then the priority 0 item ready for "
           f"{3.3 * aging:.1f} s (effective ≥ 3), then fresh 2; came " + ", ".join(names[i] for i in order))


# ---------------------------------------------------------------------------------------------
# §3.6 expiry, §3.2 FIN expired

@check("§3.6", "an item with ttl_ms not started in time ends expired: FIN expired, never delivered")
def ttl_expires(t):
    """**Expiry.** An item that has not started (no delivery handed to a worker) by its expiry
    ends `expired`: it is never delivered, its `FIN expired` goes to its watchers."""
    ttl = 0.6
    p = t.producer()
    item = t.item("ttl", options={"ttl_ms": int(ttl * 1000)})
    sent = time.monotonic()
    p.publish([item], b"PUBXW")
    p.fin(item.id, b"expired", f"an item with ttl_ms {ttl * 1000:g} and no worker", timeout=ttl + t.s.timeout)
    at = fin_at(p, item.id) - sent
    expect(at >= ttl - EARLY, f"FIN expired {at:.3f} s after the PUBXW, before its ttl_ms {ttl * 1000:g}")
    w = t.worker(credit=1)
    no_job(w, [item.id], t.s.quiet, "a job for an item that ended expired")


@check("§3.6", "an item with expires_at not started by then ends expired")
def expires_at(t):
    """`expires_at`: an item not started by this time ends `expired` (RFC 3339 date-time with
    offset, the broker's clock)."""
    target = math.floor(time.time()) + 2.0
    p = t.producer()
    item = t.item("exp", options={"expires_at": rfc3339(target)})
    p.publish([item], b"PUBXW")
    p.fin(item.id, b"expired", f"expires_at {rfc3339(target)} and no worker", timeout=target - time.time() + t.s.timeout)
    at = wall(fin_at(p, item.id))
    expect(at >= target - EARLY, f"FIN expired {target - at:.3f} s before expires_at {rfc3339(target)}")
    w = t.worker(credit=1)
    no_job(w, [item.id], t.s.quiet, "a job for an item that ended expired")


@check("§3.6", "expiry counts from acceptance, not from the end of a delay")
def ttl_from_acceptance(t):
    """Expiry counts from acceptance (`ttl_ms`), not from the end of a delay: an item with
    `delay_ms` 5000 and `ttl_ms` 500 is never delivered and ends `expired`."""
    w = t.worker(credit=1)
    p = t.producer()
    item = t.item("ttld", options={"delay_ms": 5000, "ttl_ms": 500})
    sent = time.monotonic()
    p.publish([item], b"PUBXW")
    p.fin(item.id, b"expired", "delay_ms 5000 with ttl_ms 500", timeout=0.5 + t.s.timeout)
    at = fin_at(p, item.id) - sent
    expect(at >= 0.5 - EARLY, f"FIN expired {at:.3f} s after the PUBXW, before its ttl_ms 500")
    no_job(w, [item.id], t.s.quiet, "a job for an item that ended expired")


@check("§3.6", "a job out with a worker runs to its end after its expiry; failed after it, it ends expired")
def expiry_in_flight(t):
    """An item already out with a worker runs to its end; if that delivery fails or is lost after
    the expiry, it is not delivered again and ends `expired`."""
    ttl = 0.8
    p = t.producer()
    kept, failed = t.item("ttlf", options={"ttl_ms": int(ttl * 1000)}), t.item("ttlf", options={"ttl_ms": int(ttl * 1000)})
    sent = time.monotonic()
    p.publish([kept, failed], b"PUBXW")
    a = t.worker(credit=2)
    jobs = a.take([kept.id, failed.id])
    t.sleep(sent + ttl + 0.3 - time.monotonic())    # the precondition is time: both expire in hand
    expect(not p.fins_now([kept.id, failed.id]),
           f"FIN {p.fins_now([kept.id, failed.id])} for jobs still out with a worker")
    b = t.worker(credit=2)
    a.done(jobs[kept.id].delivery)
    p.fin(kept.id, b"done", "DONE after the expiry of a job started in time")
    a.fail(jobs[failed.id], retryable=True, code="unavailable")
    p.fin(failed.id, b"expired", "FAIL 1 after the expiry", timeout=t.s.timeout)
    no_job(b, [failed.id], 1.0, "redelivered after FAIL 1 past its expiry")      # > any first backoff
    no_job(a, [failed.id], 0, "redelivered after FAIL 1 past its expiry")


# ---------------------------------------------------------------------------------------------
# §3.6 refusals

@check("§3.6", "NAK for option values that break a rule: the code, the path under /options, one error per rule")
def options_nak_values(t):
    """An item whose options break a rule is refused with `NAK`, with one error per broken rule,
    its path under `/options` (`/options/priority` `maximum` …). It is not stored."""
    zero_trace = "00-00000000000000000000000000000000-00f067aa0ba902b7-01"
    zero_parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"
    cases = [(opts(priority=10), [("/options/priority", "maximum")]),
             (opts(priority=-1), [("/options/priority", "minimum")]),
             (opts(priority="5"), [("/options/priority", "type")]),
             (opts(priority=1.5), [("/options/priority", "type")]),
             (opts(delay_ms=MAX_DELAY_MS + 1), [("/options/delay_ms", "maximum")]),
             (opts(delay_ms=-1), [("/options/delay_ms", "minimum")]),
             (opts(ttl_ms=0), [("/options/ttl_ms", "minimum")]),
             (opts(ttl_ms=MAX_DELAY_MS + 1), [("/options/ttl_ms", "maximum")]),
             (opts(not_before="2024-01-10T09:30:00"), [("/options/not_before", "format")]),
             (opts(not_before="2023-02-30T00:00:00Z"), [("/options/not_before", "format")]),
             (opts(expires_at="tomorrow"), [("/options/expires_at", "format")]),
             (opts(traceparent=TRACEPARENT.upper()), [("/options/traceparent", "pattern")]),
             (opts(traceparent="01" + TRACEPARENT[2:]), [("/options/traceparent", "pattern")]),
             (opts(traceparent=zero_trace), [("/options/traceparent", "pattern")]),
             (opts(traceparent=zero_parent), [("/options/traceparent", "pattern")]),
             (opts(priority=10, delay_ms=-1), [("/options/priority", "maximum"), ("/options/delay_ms", "minimum")])]
    p = t.producer()
    items = nak_cases(t, p, cases, "PUBX with bad option values")
    # Not stored: the same ids are new to the broker.
    for item in items:
        item.options = b""
    p.publish(items, b"PUB")
    finish(t, items)


@check("§3.6", "every invalid options vector is NAKed with its code at its path under /options")
def options_vectors_invalid(t):
    """An item whose options break a rule is refused with `NAK` … its path under `/options`.
    (The invalid vectors of examples/options, each breaking one rule; `check.py --errors` names
    the code and path each must produce, §12.)"""
    cases = []
    for name, raw, want in vectors(t, "options", "invalid"):
        expect(want is not None, f"check.py --errors names no error for options/invalid/{name}")
        cases.append((raw, [("/options" + want["path"], want["code"])]))
    nak_cases(t, t.producer(), cases, "PUBX with the invalid options vectors")


@check("§3.6", "every valid options vector is acknowledged")
def options_vectors_valid(t):
    """options: … a JSON object of at most 1024 bytes, options.schema.json. (The valid vectors of
    examples/options; delayed ones are cancelled afterwards, `CTL cancel`.)"""
    p = t.producer()
    items = [t.item("vo", options=raw) for _, raw, _ in vectors(t, "options", "valid")]
    names = {i.id: n for i, (n, _, _) in zip(items, vectors(t, "options", "valid"))}
    since = p.pub(items, b"PUBXW")
    got = p.collect([i.id for i in items], since)
    bad = [f"{names[i.id]}: {describe(got.get(i.id))}" for i in items if [o.command for o in got.get(i.id, [])] != [b"ACK"]]
    reply = cancel(p, t.s.kind, [i.id for i in items if i.id in t.s.ledger.queued] or [t.s.new_id("none")],
                   "CTL cancel of the items of the valid options vectors")
    expect(not bad, f"valid options vectors not acknowledged: {'; '.join(bad[:3])}")
    left = [i.id for i in items if i.id in t.s.ledger.queued]
    expect(not left, f"{len(left)} items of the valid vectors neither finished nor cancelled: {reply}")


@check("§3.7", "every invalid control vector is answered ERR with its code")
def control_vectors_invalid(t):
    """A request that breaks the schema, `ERR` with the schema codes. (The invalid vectors of
    examples/control; `check.py --errors` names the code each must produce, §12. Only the code is
    compared: §7.1 gives `ERR` the path `""`, the vectors a path into the request.)"""
    kinds = t.s.kinds
    with controlled(t, kinds) as p:
        wrong = []
        for name, raw, want in vectors(t, "control", "invalid"):
            m = p.ctl(raw)
            codes = [e.get("code") for e in load_json(m.args[0]).get("errors", [])] if m.command == b"ERR" else []
            if m.command != b"ERR" or want["code"] not in codes:
                wrong.append(f"{name}: expected ERR {want['code']}, came {show([m.command, *m.args], width=100)}")
        expect(not wrong, f"{len(wrong)} invalid control vectors not refused as expected: " + "; ".join(wrong[:3]))
        for kind in kinds:
            st = kind_status(status(p), kind)
            expect(st["paused"] is False and no_limit(st["concurrency"]) and no_limit(st["rate"]),
                   f"refused control vectors changed kind {kind.decode()}: {st}")


@check("§3.7", "every valid control vector is answered CTLOK, or ERR unknown_kind for a kind the broker does not take")
def control_vectors_valid(t):
    """`KZ1 CTL request-json` → `KZ1 CTLOK reply-json` (control.schema.json). (The valid vectors of
    examples/control, in order; a cancel vector's ids are replaced by ids of this run, the same
    number, so that nobody's items are cancelled; the kinds' pause and limits are restored after.)"""
    kinds = t.s.kinds
    with controlled(t, kinds) as p:
        wrong = []
        for name, raw, _ in vectors(t, "control", "valid"):
            request = load_json(raw)
            if "ids" in request:
                request["ids"] = [t.s.new_id("vc").decode() for _ in request["ids"]]
                raw = json.dumps(request).encode()
            m = p.ctl(raw)
            taken = request.get("kind") is None or request["kind"].encode() in kinds
            if m.command == b"CTLOK":
                continue
            if m.command == b"ERR" and not taken and err_code(m.args) == "unknown_kind":
                continue
            wrong.append(f"{name}: expected CTLOK{'' if taken else ' or ERR unknown_kind'}, came "
                         f"{show([m.command, *m.args], width=100)}")
        expect(not wrong, f"{len(wrong)} valid control vectors refused: " + "; ".join(wrong[:3]))


@check("§3.6", "NAK inconsistent when both times of a pair are given")
def options_nak_pairs(t):
    """Give `delay_ms` or `not_before`, not both (`/options/not_before` `inconsistent` when both
    times of a pair are given); give `ttl_ms` or `expires_at`, not both (§3.6 names no path for
    this pair; by analogy `/options/expires_at`)."""
    soon = rfc3339(time.time() + 3600)
    cases = [(opts(delay_ms=1000, not_before=soon), [("/options/not_before", "inconsistent")]),
             (opts(ttl_ms=1000, expires_at=soon), [("/options/expires_at", "inconsistent")])]
    nak_cases(t, t.producer(), cases, "PUBXW with both times of a pair", b"PUBXW")


@check("§3.6", "NAK unknown_field, not_json, too_large for the options frame")
def options_nak_frame(t):
    """`/options` `not_json` or `too_large` for the frame as a whole; `unknown_field` for a member
    not in the table (§7.1: the path names the unknown member). An options frame is a JSON object
    (§2.1: no byte-order mark, no trailing data; §2.3: no duplicate member, at most 64 levels) of
    at most 1024 bytes (§9: `NAK too_large` at `/options`)."""
    big = b'{"priority": 1' + b" " * 1010 + b"}"
    assert len(big) == 1025
    deep = b'{"priority": ' + b"[" * 70 + b"]" * 70 + b"}"
    cases = [(opts(prio=1), [("/options/prio", "unknown_field")]),
             (opts(priority=1, karez={"delay_ms": 1}), [("/options/karez", "unknown_field")]),
             (b"{", [("/options", "not_json")]),
             (b"priority=1", [("/options", "not_json")]),
             (b'{"priority": 1} x', [("/options", "not_json")]),
             (b'\xef\xbb\xbf{"priority": 1}', [("/options", "not_json")]),
             (deep, [("/options", "not_json")]),
             (b'{"priority": 1, "priority": 2}', [("/options", "duplicate_member")]),
             (big, [("/options", "too_large")])]
    nak_cases(t, t.producer(), cases, "PUBX with a bad options frame")


@check("§3.6", "the options are checked after the checks of §3.1")
def options_checked_last(t):
    """The broker checks the options frame after the checks of section 3.1."""
    p = t.producer()
    bad_id = t.item("ol", id=b"-" + t.s.new_id("ol"), options=opts(priority=10))
    bad_kind = t.item("ol", kind=b"Nokind", options=opts(priority=10))
    not_object = t.item("ol", body=b"[1]", options=b"{")
    got = p.collect([bad_id.id, bad_kind.id, not_object.id], p.pub([bad_id, bad_kind, not_object], b"PUBX"))
    for item, code in ((bad_id, "bad_id"), (bad_kind, "unknown_kind"), (not_object, "not_object")):
        outs = got.get(item.id, [])
        codes = [e.get("code") for o in outs if o.command == b"NAK" for e in o.detail.get("errors", [])]
        expect(len(outs) == 1 and codes == [code],
               f"{item.id[:30]!r} kind {item.kind.decode()} body {item.body[:10]!r} options {item.options!r}: "
               f"expected NAK {code} alone, came {describe(outs)} {codes}")


@check("§3.6", "ERR bad_frame for a PUBX whose frame count is not a positive multiple of 4, nothing stored")
def pubx_frame_count(t):
    """The number of frames after the command MUST be a positive multiple of 4 (else
    `ERR bad_frame`), at most `max_batch` items. The `ERR` names the command, and `ids` lists
    the id frames (for `PUBX` and `PUBXW` frames 2, 6, 10, …) that are valid UTF-8 of at most 128
    bytes, in order; left out when there are none (§2.4)."""
    p = t.producer()
    a, b = t.item("xf"), t.item("xf")
    long_id = b"L" * 129
    for command in (b"PUBX", b"PUBXW"):
        for frames in ([], a.frames, a.xframes + [b.id], a.xframes + b.frames, a.xframes + b.xframes[:2],
                       a.xframes + [b"\xff\xfe", b.kind, b"", b.body, long_id]):
            p.send(command, *frames)
            what = f"{command.decode()} of {len(frames)} frames"
            m = p.expect(b"ERR", what)
            body = load_json(m.args[0])
            expect(body["errors"][0]["code"] == "bad_frame" and body.get("command") == command.decode(),
                   f"{what}: expected ERR bad_frame naming {command.decode()}, came {body}")
            ids = [f.decode() for f in frames[0::4] if len(f) <= 128 and utf8(f)]
            expect(body.get("ids", []) == ids and ("ids" in body) == bool(ids),
                   f"{what}: expected ERR ids {ids or '(left out)'} (frames 2, 6, 10, …), came {body.get('ids', '(left out)')}")
    n = t.s.max_batch
    if n <= 2000:
        items = t.items(n + 1, "xb")
        p.send(b"PUBX", *[f for i in items for f in i.xframes])
        m = p.expect(b"ERR", f"PUBX of max_batch + 1 = {n + 1} items")
        expect(err_code(m.args) == "bad_frame", f"PUBX of {n + 1} items: expected ERR bad_frame, came ERR {err_code(m.args)}")
    p.publish([a, b], b"PUB")                           # nothing of them was stored: ACK, not DUP
    finish(t, [a, b])


@check("§9", "a PUBX of exactly max_batch items, each with options, behind an 8-frame envelope is acknowledged")
def pubx_max_batch(t):
    """front message: at most 4 010 frames (envelope, tag, command and `max_batch` items of
    `PUBX`). (The envelope: the routing id, 6 proxy hops and the delimiter, 8 frames, §2.2.)"""
    n = t.s.max_batch
    if n > 2000:
        raise Skip(f"max_batch {n} is too large to publish quickly")
    limit = t.s.pong.get("max_queued_items")
    if isinstance(limit, int) and limit < n + 10:
        raise Skip(f"max_queued_items {limit} leaves no room for {n} items")
    p = t.producer(envelope=[f"hop-{i}".encode() for i in range(6)] + [b""])
    items = [t.item("xm", options={"priority": 1}) for _ in range(n)]
    p.publish(items, b"PUBX")
    finish(t, items)


# ---------------------------------------------------------------------------------------------
# §4.1 JOBX

@check("§4.1", "JOBX carries the traceparent in its meta frame to a worker whose HELLO accepts lists JOBX")
def jobx_meta(t):
    """`KZ1 JOBX delivery id kind attempt meta body […]`: as `JOB`, with a meta frame before each
    body: empty, or a JSON object with the item's `traceparent`. Sent only to workers whose `HELLO`
    `accepts` lists `JOBX`, and only when a job of the message has meta."""
    p = t.producer()
    traced = t.item("jx", options={"traceparent": TRACEPARENT})
    p.publish([traced], b"PUBXW")
    w = t.worker(credit=1, accepts=[b"JOBX", b"CANCEL"])
    job = w.take_one(traced.id)
    w.done(job.delivery)
    expect(job.command == b"JOBX", f"an item with a traceparent to a worker that accepts JOBX came as {job.command.decode()}")
    meta = load_json(job.meta)
    expect(meta.get("traceparent") == TRACEPARENT, f"JOBX meta: expected traceparent {TRACEPARENT}, came {meta}")
    expect(job.body == traced.body and job.kind == traced.kind and job.attempt == 1,
           f"JOBX: body, kind or attempt differ ({job_line(job)})")
    p.fin(traced.id, b"done", "DONE of a JOBX")
    plain = t.item("jx", options={"priority": 1})
    p.publish([plain], b"PUBXW")
    w.credit(1)
    job = w.take_one(plain.id)
    w.done(job.delivery)
    expect(job.command == b"JOB", "an item without traceparent came as JOBX, alone in its message (no job has meta)")
    p.fin(plain.id, b"done", "DONE of the item without traceparent")


@check("§4.1", "a worker whose HELLO does not accept JOBX gets JOB (5 frames per job) for an item with a traceparent")
def job_without_accepts(t):
    """Other workers get `JOB` (without the trace)."""
    p = t.producer()
    items = [t.item("jn", options={"traceparent": TRACEPARENT}), t.item("jn", options={"traceparent": TRACEPARENT})]
    p.publish(items, b"PUBXW")
    plain = t.worker(credit=1)
    cancel_only = t.worker(credit=1, accepts=[b"CANCEL"])
    t.wait(lambda: len(plain.jobs_for([i.id for i in items]) + cancel_only.jobs_for([i.id for i in items])) == 2,
           t.s.timeout)
    jobs = plain.jobs_for([i.id for i in items]) + cancel_only.jobs_for([i.id for i in items])
    expect(len(jobs) == 2, f"expected both items, one to each worker, came {len(jobs)}")
    for w in (plain, cancel_only):
        for job in w.jobs_for([i.id for i in items]):
            w.done(job.delivery)
            expect(job.command == b"JOB" and job.meta is None, f"a worker that accepts {w.identity.get('accepts', [])} "
                                                               f"got {job.command.decode()}")
            item = next(i for i in items if i.id == job.id)
            expect(job.body == item.body, "JOB body differs from the one published")
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for both, came {fins}")


@check("§6.3", "HELLO accepts: up to 16 names ^[A-Z]{1,32}$ are welcome, more or other names are ERR")
def hello_accepts(t):
    """`accepts` (optional, at most 16 command names `^[A-Z]{1,32}$`: broker commands beyond
    `JOB` the worker understands, `JOBX` and `CANCEL`). The broker answers `ERR` with the schema
    errors of the body."""
    sixteen = ["JOBX", "CANCEL"] + ["X" * (n + 1) for n in range(14)]
    for accepts in (sixteen, ["JOBX", "FROB"], ["A" * 32], []):
        w = t.back_socket()
        w.hello(json.dumps(dict(w.identity, accepts=accepts)).encode(), f"HELLO accepts {accepts[:3]}…")
        w.close()
    # hello.schema.json writes {1,32} as minLength 1, maxLength 32 and pattern ^[A-Z]+$.
    for accepts, codes in ((sixteen + ["Y"], ("max_length",)), (["jobx"], ("pattern",)),
                           (["A" * 33], ("max_length",)), ([""], ("min_length", "pattern")), ("JOBX", ("type",)), ([7], ("type",))):
        w = t.back_socket()
        w.send(b"HELLO", json.dumps(dict(w.identity, accepts=accepts)).encode())
        m = w.expect(b"ERR", f"HELLO accepts {str(accepts)[:40]}")
        got = [e.get("code") for e in load_json(m.args[0])["errors"]]
        expect(set(got) & set(codes), f"HELLO accepts {str(accepts)[:40]}: expected ERR {' or '.join(codes)}, came ERR {got}")
        w.welcome = None
        w.close()


# ---------------------------------------------------------------------------------------------
# §4.1 PROGRESS

@check("§4.1", "PROGRESS every lease_ms/3 keeps a job for 3 leases, and the percent shows in CTL status")
def progress_keeps_job(t):
    """`KZ1 PROGRESS delivery percent`: its lease starts again from now, as with `EXTEND`, and
    the broker shows the percent in `CTL status` (no reply). A job that keeps reporting progress
    at least once a lease runs as long as it needs. (§3.7: `"progress": [{"id", "worker",
    "percent", "running_s"}]` for jobs that reported `PROGRESS`.)"""
    needs_short_lease(t, 3)
    p, item, a, job, b = held_job(t, "pg")
    op = t.producer()
    until, percent, seen = job.at + 3 * t.s.lease, 0, None

    def entry():
        st = kind_status(status(op), item.kind)
        expect_kind_status(st, item.kind, "CTL status while a job reports PROGRESS")
        return next((e for e in st.get("progress", []) if e.get("id") == item.id.decode()), None)

    while time.monotonic() < until:
        percent = min(99, percent + 8)
        a.progress(job.delivery, percent)
        t.wait(lambda: b.jobs_for([item.id]) or a.arrived(), t.s.lease / 3)
        if b.jobs_for([item.id]):
            raise Fail(f"redelivered {b.jobs_for([item.id])[0].at - job.at:.2f} s after the job was sent "
                       f"although PROGRESS came every lease_ms/3")
        if a.arrived():
            raise Fail(f"PROGRESS was answered {show([a.arrived()[0].command, *a.arrived()[0].args])}")
    # The PROGRESS and the CTL take different connections: poll until the last percent shows.
    t.wait(lambda: (lambda e: e is not None and e.get("percent") == percent)(entry()), t.s.timeout)
    seen = entry()
    expect(seen is not None, f"CTL status lists no progress for {item.id.decode()} after PROGRESS")
    expect(seen.get("percent") == percent, f"CTL status progress: expected percent {percent}, came {seen}")
    running = time.monotonic() - job.at
    expect(seen.get("running_s", -1) <= running + 1.0 and seen.get("running_s", -1) >= 0,
           f"CTL status progress: running_s {seen.get('running_s')}, the job has run {running:.1f} s")
    a.done(job.delivery)
    p.fin(item.id, b"done", f"DONE after {3 * t.s.lease:g} s of PROGRESS")
    expect(t.wait(lambda: entry() is None, t.s.timeout), "CTL status still lists the progress of a job DONE")


@check("§4.1", "PROGRESS for a delivery the worker does not hold is ignored: no reply, the lease runs out")
def progress_not_held(t):
    """(no reply; a delivery the worker does not hold is ignored)."""
    needs_short_lease(t, 2)
    p, item, a, job, b = held_job(t, "pn")
    other = t.worker()
    other.progress(b"18446744073709551615", 50)
    expect_silence(other, "PROGRESS of an unknown delivery")
    until = job.at + t.s.lease + t.s.timeout
    while time.monotonic() < until and not b.jobs_for([item.id]):
        other.progress(job.delivery, 50)               # another worker's job
        t.wait(lambda: b.jobs_for([item.id]) or other.arrived(), t.s.lease / 3)
        expect(not other.arrived(), f"PROGRESS for another worker's delivery was answered "
                                    f"{show([other.arrived()[0].command, *other.arrived()[0].args]) if other.arrived() else ''}")
    again = b.take_one(item.id, 0, "redelivery after the lease, PROGRESS having come from another worker only")
    b.done(again.delivery)
    expect(again.at - job.at <= t.s.lease + 1.0, f"redelivered {again.at - job.at:.2f} s after the job was sent: "
                                                 f"PROGRESS from a worker that does not hold it extended the lease")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.1", "ERR for a malformed PROGRESS, hello_required before HELLO")
def progress_bad_frames(t):
    """`KZ1 PROGRESS delivery percent`: delivery (number), percent (number 0–100); a wrong frame
    count or a bad number is `ERR bad_frame` (§2.4); before `HELLO`, `ERR hello_required` (§4.2)."""
    s = t.back_socket()
    s.send(b"PROGRESS", b"1", b"5")
    expect_err(s, "hello_required", "PROGRESS before HELLO")
    w = t.worker()
    for frames in ([], [b"1"], [b"1", b"101"], [b"1", b"050"], [b"1", b"-1"], [b"1", b""], [b"x", b"5"],
                   [b"01", b"5"], [b"1", b"5", b"5"]):
        w.send(b"PROGRESS", *frames)
        expect_err(w, "bad_frame", show([b"PROGRESS", *frames]))


# ---------------------------------------------------------------------------------------------
# §3.7 CTL

@check("§3.7", "CTL status answers CTLOK with the counts and a status of every kind")
def ctl_status(t):
    """`status`: `{"queued", "ready", "scheduled", "retrying", "in_flight", "workers", "kinds":
    [status of each kind]}`. A kind's status is `{"kind", "ready", "scheduled", "in_flight",
    "oldest_ready_age_s", "paused", "concurrency", "rate"}`."""
    p = t.producer()
    later = t.item("st", options={"delay_ms": 60000})
    now = [t.item("st"), t.item("st")]
    p.publish([later], b"PUBX")
    p.publish(now, b"PUB")
    w = t.worker(credit=1)
    t.wait(lambda: w.jobs_for([i.id for i in now]), t.s.timeout)
    try:
        held = w.jobs_for([i.id for i in now])
        expect(held, "a worker with CREDIT 1 got no job")
        reply = status(p)
        for member in ("queued", "ready", "scheduled", "retrying", "in_flight"):
            expect(is_count(reply.get(member)), f"CTL status: {member} must be an integer ≥ 0, came {reply.get(member)!r}")
        workers = reply.get("workers")
        expect(is_count(workers) or isinstance(workers, list), f"CTL status: workers must be a count, came {workers!r}")
        for kind in t.s.kinds:
            expect_kind_status(kind_status(reply, kind), kind, "CTL status")
        st = kind_status(reply, t.s.kind)
        low = {k: v for k, v in (("scheduled", st["scheduled"]), ("ready", st["ready"]), ("in_flight", st["in_flight"]),
                                 ("total scheduled", reply["scheduled"]), ("total ready", reply["ready"]),
                                 ("total in_flight", reply["in_flight"])) if v < 1}
        expect(not low, f"CTL status with 1 item scheduled, 1 ready and 1 in flight of kind {t.s.kind.decode()}: "
                        f"{low} (kind status {st})")
        w.done(held[0].delivery)
    finally:
        cancel_quietly(t, [later])
    finish(t, [i for i in now if i.id in t.s.ledger.queued])


@check("§3.7", "CTL limit sets concurrency and rate, keeps an absent one, lifts one with 0")
def ctl_limit_members(t):
    """`limit`: `kind`; `concurrency`, `rate`: at least one; 0 lifts that limit, an absent one
    stays. The reply is the kind's status."""
    kind = t.s.kind
    with controlled(t) as p:
        steps = (({"concurrency": 3}, 3, None), ({"rate": 50}, 3, 50), ({"concurrency": 0}, None, 50),
                 ({"rate": 0}, None, None), ({"concurrency": 7, "rate": 2.5}, 7, 2.5), ({"concurrency": 0, "rate": 0}, None, None))
        for members, concurrency, rate in steps:
            what = f"CTL limit {members}"
            st = p.ctl_ok(dict(action="limit", kind=kind.decode(), **members), what)
            expect_kind_status(st, kind, what)
            for name, want in (("concurrency", concurrency), ("rate", rate)):
                ok = no_limit(st[name]) if want is None else st[name] == want
                expect(ok, f"{what}: expected {name} {want if want is not None else '0 (none)'}, came {st[name]!r}")
            again = kind_status(status(p), kind)
            expect(again["concurrency"] == st["concurrency"] and again["rate"] == st["rate"],
                   f"after {what}: CTL status says {again}, the reply said {st}")


@check("§3.7", "CTL limit concurrency N: never more than N jobs of the kind out at once across two workers")
def ctl_limit_concurrency(t):
    """At most `concurrency` jobs of the kind out with workers at once, across all workers …
    a limit of 5 is exact (never 6 at once). (Here 2, with two workers of credit 20 each.)"""
    n, kind = 2, t.s.kind
    with controlled(t) as p:
        st = p.ctl_ok({"action": "limit", "kind": kind.decode(), "concurrency": n}, f"CTL limit concurrency {n}")
        expect(st.get("concurrency") == n, f"CTL limit concurrency {n}: the reply says concurrency {st.get('concurrency')!r}")
        a, b = t.worker(credit=20), t.worker(credit=20)
        items = t.items(6, "cl")
        ids = [i.id for i in items]
        p.publish(items, b"PUB")
        finished, peak = 0, 0
        while finished < len(items):
            t.wait(lambda: len(a.jobs_for(ids) + b.jobs_for(ids)) >= min(n, len(items) - finished), t.s.timeout)
            t.sleep(t.s.quiet)                        # a window in which a job beyond the limit would show
            held = a.jobs_for(ids) + b.jobs_for(ids)
            peak = max(peak, len(held))
            expect(len(held) <= n, f"concurrency {n}: {len(held)} jobs of kind {kind.decode()} out at once "
                                   f"({len(a.jobs_for(ids))} and {len(b.jobs_for(ids))} with the two workers) "
                                   f"after {finished} DONE")
            expect(held, f"concurrency {n}: no job out after {finished} of {len(items)} DONE (workers have credit)")
            job = held[0]
            holder = a if job in a.jobs else b
            holder.jobs.remove(job)
            holder.done(job.delivery)
            finished += 1
        expect(peak == n, f"concurrency {n}: at most {peak} jobs were ever out at once, expected {n}")
        st = p.ctl_ok({"action": "limit", "kind": kind.decode(), "concurrency": 0}, "CTL limit concurrency 0")
        expect(no_limit(st.get("concurrency")), f"CTL limit concurrency 0 must lift the limit, came {st.get('concurrency')!r}")


@check("§3.7", "CTL limit rate R: at most R deliveries a second (a bucket of max(1, R/10)); 0 lifts it")
def ctl_limit_rate(t):
    """At most `rate` deliveries per second (a token bucket holding a tenth of a second's
    deliveries, at least 1). (Rate 4: 8 items need at least 1.75 s; lifted, they go at once.)"""
    rate, n, kind = 4, 8, t.s.kind
    with controlled(t) as p:
        st = p.ctl_ok({"action": "limit", "kind": kind.decode(), "rate": rate}, f"CTL limit rate {rate}")
        expect(st.get("rate") == rate, f"CTL limit rate {rate}: the reply says rate {st.get('rate')!r}")
        w = t.worker(credit=2 * n + 10)
        items = t.items(n, "rl")
        p.publish(items, b"PUB")
        jobs = w.take([i.id for i in items], n / rate + t.s.timeout, f"{n} items at rate {rate}")
        w.done(*[j.delivery for j in jobs.values()])
        times = sorted(j.at for j in jobs.values())
        bucket = max(1, rate / 10)
        for i in range(n):
            for k in range(i + 1, n):
                least = (k - i + 1 - bucket) / rate        # k - i + 1 deliveries in [t_i, t_k]
                expect(times[k] - times[i] >= least - 0.1,
                       f"rate {rate}: {k - i + 1} deliveries within {times[k] - times[i]:.2f} s, at most "
                       f"{bucket:g} + {rate} per second allow them no sooner than {least:.2f} s")
        st = p.ctl_ok({"action": "limit", "kind": kind.decode(), "rate": 0}, "CTL limit rate 0")
        expect(no_limit(st.get("rate")), f"CTL limit rate 0 must lift the limit, came {st.get('rate')!r}")
        items = t.items(n, "rl")
        p.publish(items, b"PUB")
        jobs = w.take([i.id for i in items], what=f"{n} items after the rate was lifted")
        w.done(*[j.delivery for j in jobs.values()])
        span = max(j.at for j in jobs.values()) - min(j.at for j in jobs.values())
        expect(span < (n - 1) / rate * 0.75, f"rate lifted: {n} items took {span:.2f} s, as if still limited")


@check("§3.7", "CTL pause: no job of the kind after CTLOK, jobs in flight finish; resume hands them out")
def ctl_pause_resume(t):
    """`pause`: no job of the kind is handed out until `resume`; queued and scheduled items wait;
    jobs in flight finish. Pause takes effect at once: no job of the kind is handed out after the
    `CTLOK`. `resume`: hands out jobs of the kind again."""
    kind = t.s.kind
    with controlled(t) as p:
        flying = t.item("pz")
        p.publish([flying], b"PUBW")
        holder = t.worker(credit=1)
        job = holder.take_one(flying.id)
        queued = t.item("pz")
        p.publish([queued], b"PUBW")
        st = p.ctl_ok({"action": "pause", "kind": kind.decode()}, "CTL pause")
        expect_kind_status(st, kind, "CTL pause")
        expect(st["paused"] is True, f"CTL pause: the reply says paused {st['paused']!r}")
        expect(kind_status(status(p), kind)["paused"] is True, "CTL status after pause: paused is not true")
        w = t.worker(credit=5)
        after, scheduled = t.item("pz"), t.item("pz", options={"delay_ms": 200})
        p.publish([after], b"PUBW")
        p.publish([scheduled], b"PUBXW")
        ids = [queued.id, after.id, scheduled.id]
        others = []
        try:
            other = t.s.other_kind
            others = [t.item("pz", other)]
            p.publish(others, b"PUBW")
        except Skip:
            pass
        no_job(w, ids, max(t.s.quiet, 0.8), f"kind {kind.decode()} paused: a job")
        no_job(holder, ids, 0, f"kind {kind.decode()} paused: a job")
        if others:
            got = w.take_one(others[0].id, what=f"kind {others[0].kind.decode()} while {kind.decode()} is paused")
            w.done(got.delivery)
        holder.done(job.delivery)
        p.fin(flying.id, b"done", "DONE of a job in flight when its kind was paused")
        st = p.ctl_ok({"action": "resume", "kind": kind.decode()}, "CTL resume")
        expect_kind_status(st, kind, "CTL resume")
        expect(st["paused"] is False, f"CTL resume: the reply says paused {st['paused']!r}")
        jobs = w.take(ids, what="items of the kind after resume")
        w.done(*[j.delivery for j in jobs.values()])
        fins = p.fins(ids)
        expect(all(fins.get(i) == b"done" for i in ids), f"expected FIN done after resume, came {fins}")


@check("§3.7", "CTL cancel of a queued item: never delivered, FIN cancelled, listed as cancelled")
def ctl_cancel_queued(t):
    """`cancel`: each queued, scheduled or retrying item is never delivered … Each ends
    `cancelled`: journalled before the reply, `FIN cancelled` to its watchers. Reply
    `{"cancelled": [ids], "finished": [{"id", "state"}], "unknown": [ids]}`. (§3.2: an item
    answered `DUP` to a `PUBW` gets its `FIN` at once if it already finished.)"""
    p, item = publish_one(t, b"PUBW", "cq")
    reply = cancel(p, item.kind, [item.id])
    expect(reply["cancelled"] == [item.id.decode()] and not reply["finished"] and not reply["unknown"],
           f"cancel of a queued item: expected cancelled [{item.id.decode()}], came {reply}")
    p.fin(item.id, b"cancelled", "CTL cancel of a queued item")
    since = p.pub([item], b"PUBW")
    got = p.collect([item.id], since)
    expect([o.command for o in got.get(item.id, [])] == [b"DUP"],
           f"PUBW of a cancelled item: expected DUP, came {describe(got.get(item.id))}")
    t.wait(lambda: any(m.command == b"FIN" and item.id in m.args[1:] for m in p.log[since:]), t.s.timeout)
    again = [m.args[0] for m in p.log[since:] if m.command == b"FIN" and item.id in m.args[1:]]
    expect(again[:1] == [b"cancelled"], f"PUBW answered DUP for a cancelled item: expected FIN cancelled, came {again}")
    w = t.worker(credit=1)
    no_job(w, [item.id], t.s.quiet, "a job for a cancelled item")
    reply = cancel(p, item.kind, [item.id], "second CTL cancel")
    expect(reply["finished"] == [{"id": item.id.decode(), "state": "cancelled"}] and not reply["cancelled"],
           f"cancel of an item already cancelled: expected finished [{{id, state cancelled}}], came {reply}")


@check("§3.7", "CTL cancel of a scheduled and of a retrying item: never delivered, FIN cancelled")
def ctl_cancel_scheduled_retrying(t):
    """… each queued, scheduled or retrying item is never delivered. (The scheduled one has the
    largest `delay_ms`, 31 622 400 000.)"""
    p = t.producer()
    scheduled = t.item("cs", options={"delay_ms": MAX_DELAY_MS})
    p.publish([scheduled], b"PUBXW")
    retrying = t.item("cs")
    p.publish([retrying], b"PUBW")
    w = t.worker(credit=2)
    job = w.take_one(retrying.id)
    w.fail(job, retryable=True, code="unavailable")
    reply = cancel(p, t.s.kind, [scheduled.id, retrying.id])
    expect(sorted(reply["cancelled"]) == sorted([scheduled.id.decode(), retrying.id.decode()]),
           f"cancel of a scheduled and a retrying item: expected both cancelled, came {reply}")
    fins = p.fins([scheduled.id, retrying.id])
    expect(fins.get(scheduled.id) == b"cancelled" and fins.get(retrying.id) == b"cancelled",
           f"expected FIN cancelled for both, came {fins}")
    no_job(w, [retrying.id], 1.0, "a retry of a cancelled item")            # > the first backoff


@check("§3.7", "CTL cancel of an item in flight: CANCEL to a worker that accepts it, its DONE ignored")
def ctl_cancel_in_flight(t):
    """An item in flight has its delivery ended (a later `DONE` or `FAIL` for it is ignored), and
    its worker is sent `CANCEL` if it accepts it. `KZ1 CANCEL delivery …`: the broker no longer
    counts them as out with the worker, and ignores a `DONE` or `FAIL` for them; the worker SHOULD
    send `CREDIT` for the room they held, as after `DONE` (this one does, and gets a job for it)."""
    p, item = publish_one(t, b"PUBW", "cf")
    a = t.worker(credit=1, accepts=[b"CANCEL"])
    job = a.take_one(item.id)
    b = t.worker(credit=1)
    reply = cancel(p, item.kind, [item.id])
    expect(reply["cancelled"] == [item.id.decode()], f"cancel of an item in flight: expected cancelled, came {reply}")
    t.wait(lambda: a.cancels, t.s.timeout)
    expect([d for d, _ in a.cancels] == [job.delivery],
           f"expected CANCEL {job.delivery.decode()} to the worker holding it, came "
           f"{[d.decode() for d, _ in a.cancels] or 'nothing'}")
    p.fin(item.id, b"cancelled", "CTL cancel of an item in flight")
    a.done(job.delivery)
    expect_silence(a, "DONE of a cancelled delivery")
    fins = [m.args[0] for m in p.log if m.command == b"FIN" and item.id in m.args[1:]]
    expect(fins == [b"cancelled"], f"after DONE of a cancelled delivery: FINs {fins}, expected only cancelled")
    no_job(b, [item.id], t.s.quiet, "a cancelled item redelivered")
    b.close()                                       # only a may take the next item
    _, other = publish_one(t, b"PUBW", "cf")
    a.credit(1)
    got = a.take_one(other.id, what="a job for CREDIT 1 after a CANCEL")
    a.done(got.delivery)


@check("§3.7", "CTL cancel of an item in flight with a worker that does not accept CANCEL: no CANCEL, DONE and FAIL ignored")
def ctl_cancel_in_flight_plain(t):
    """… its worker is sent `CANCEL` if it accepts it (§4.1: sent only to workers whose `HELLO`
    `accepts` lists `CANCEL`); a later `DONE` or `FAIL` for it is ignored (a `FAIL … 0` makes no
    dead letter)."""
    p, item = publish_one(t, b"PUBW", "cp")
    a = t.worker(credit=1)
    job = a.take_one(item.id)
    b = t.worker(credit=1)
    reply = cancel(p, item.kind, [item.id])
    expect(reply["cancelled"] == [item.id.decode()], f"cancel of an item in flight: expected cancelled, came {reply}")
    p.fin(item.id, b"cancelled", "CTL cancel of an item in flight")
    a.done(job.delivery)
    expect_silence(a, "DONE of a cancelled delivery (a CANCEL would be a violation too)")
    fins = [m.args[0] for m in p.log if m.command == b"FIN" and item.id in m.args[1:]]
    expect(fins == [b"cancelled"], f"after DONE of a cancelled delivery: FINs {fins}, expected only cancelled")
    no_job(b, [item.id], t.s.quiet, "a cancelled item redelivered")
    p2, failed = publish_one(t, b"PUBW", "cp")
    a.credit(1)
    job = a.take_one(failed.id)
    cancel(p2, failed.kind, [failed.id])
    p2.fin(failed.id, b"cancelled", "CTL cancel of an item in flight")
    a.fail(job, retryable=False, code="required")
    expect_silence(a, "FAIL 0 of a cancelled delivery")
    fins = [m.args[0] for m in p2.log if m.command == b"FIN" and failed.id in m.args[1:]]
    expect(fins == [b"cancelled"], f"after FAIL 0 of a cancelled delivery: FINs {fins}, expected only cancelled")
    n = p2.dlq(b"PURGE", [failed.id])
    expect(n == 0, f"FAIL 0 of a cancelled delivery made a dead letter (DLQ PURGE of its id: DLQOK {n})")


@check("§9", "a CTL cancel of 1000 ids is answered CTLOK")
def ctl_cancel_1000(t):
    """`cancel`: `kind`, `ids` (1 to 1000 item ids); §9: `cancel` ≤ 1000 ids."""
    ids = [t.s.new_id("k") for _ in range(1000)]
    reply = cancel(t.producer(), t.s.kind, ids, "CTL cancel of 1000 ids never published")
    expect(sorted(reply["unknown"]) == sorted(i.decode() for i in ids) and not reply["cancelled"],
           f"CTL cancel of 1000 unknown ids: expected them all in unknown, came {len(reply['unknown'])} unknown, "
           f"{len(reply['cancelled'])} cancelled, {len(reply['finished'])} finished")


@check("§3.7", "CTL cancel sorts ids into cancelled, finished (done, dead, expired) and unknown")
def ctl_cancel_sorts(t):
    """Reply `{"cancelled": [ids], "finished": [{"id", "state"}], "unknown": [ids]}`: cancelled
    now; already ended (`done`, `dead`, `expired`, `cancelled`); not known."""
    p = t.producer()
    expired = t.item("cx", options={"delay_ms": 60000, "ttl_ms": 200})     # never ready: no worker takes it
    p.publish([expired], b"PUBXW")
    done = t.item("cx")
    p.publish([done], b"PUBW")
    w = t.worker(credit=1)
    w.done(w.take_one(done.id).delivery)
    p.fin(done.id, b"done", "DONE")
    _, dead, _ = dead_letter(t, "cx")
    p.fin(expired.id, b"expired", "ttl_ms 200 (and delay_ms 60000)", timeout=t.s.timeout)
    queued = t.item("cx")
    p.publish([queued], b"PUB")
    never = t.s.new_id("cx")
    try:
        reply = cancel(p, t.s.kind, [queued.id, done.id, dead.id, expired.id, never])
        finished = {e.get("id"): e.get("state") for e in reply["finished"] if isinstance(e, dict)}
        want = {done.id.decode(): "done", dead.id.decode(): "dead", expired.id.decode(): "expired"}
        expect(reply["cancelled"] == [queued.id.decode()] and finished == want
               and reply["unknown"] == [never.decode()] and len(reply["finished"]) == 3,
               f"expected cancelled [{queued.id.decode()}], finished {want}, unknown [{never.decode()}]; came {reply}")
    finally:
        purge(t, p, dead)


@check("§3.7", "ERR unknown_kind at /kind for a CTL naming a kind the broker does not take")
def ctl_unknown_kind(t):
    """A kind the broker does not take is answered `ERR unknown_kind` at `/kind`."""
    p = t.producer()
    kind = "zz" + t.s.run[3:]
    for request in ({"action": "pause", "kind": kind}, {"action": "resume", "kind": kind},
                    {"action": "limit", "kind": kind, "concurrency": 1},
                    {"action": "cancel", "kind": kind, "ids": [t.s.new_id("uk").decode()]}):
        body = ctl_err(p, request, ["unknown_kind"], f"CTL {request['action']} of kind {kind}")
        paths = [e.get("path") for e in body["errors"] if e.get("code") == "unknown_kind"]
        expect(paths == ["/kind"], f"CTL {request['action']} of kind {kind}: ERR unknown_kind at {paths}, expected /kind")


@check("§2.4", "an ERR refusing a CTL (with CURVE also a DLQ from a non-operator) names its command")
def ctl_err_names_command(t):
    """The error body of an `ERR` names the message it refuses …: `command` is the refused
    message's command frame (when it is 1 to 32 ASCII upper-case letters)."""
    p = t.producer()
    wrong = []
    for request in (None, b"{", {"action": "frob"}, {"action": "pause", "kind": "zz" + t.s.run[3:]}):
        if request is None:
            p.send(b"CTL")
            m = p.next()
            shown = "CTL without a request frame"
        else:
            m = p.ctl(request)
            shown = f"CTL {request if isinstance(request, bytes) else json.dumps(request)}"
        expect(m is not None and m.command == b"ERR", f"{shown}: expected ERR, came {show([m.command, *m.args]) if m else 'nothing'}")
        body = load_json(m.args[0])
        if body.get("command") != "CTL":
            wrong.append(f"{shown}: ERR {err_code(m.args)} with command {body.get('command')!r}")
    key = getattr(t.s.args, "producer_key", None)
    if t.s.curve and key:                               # with CURVE: ERR forbidden too
        for frames in ([b"CTL", b'{"action": "status"}'], [b"DLQ", b"PURGE", t.s.new_id("never")]):
            reply = answered(t, front_socket(t, zmq.auth.load_certificate(key)), [b"KZ1", *frames])
            if reply and reply[:2] == [b"KZ1", b"ERR"] and load_json(reply[2]).get("command") != frames[0].decode():
                wrong.append(f"{show(frames)} from a producer key: ERR {err_code(reply[2:])} with command "
                             f"{load_json(reply[2]).get('command')!r}")
    expect(not wrong, "expected the refused command (CTL, DLQ) in the ERR body; " + "; ".join(wrong))


@check("§3.7", "ERR for a malformed CTL, with the schema codes; nothing acted upon")
def ctl_malformed(t):
    """A request that breaks the schema, `ERR` with the schema codes. The request is a JSON
    object of at most 256 KiB (§9: `ERR too_large`), `cancel` 1 to 1000 ids (§9: `ERR
    max_length`). A wrong frame count is `ERR bad_frame` (§2.4), and nothing of a message answered
    with `ERR` was acted upon."""
    kind = t.s.kind.decode()
    with controlled(t) as p:
        for frames in ([], [b"{}", b"{}"]):
            p.send(b"CTL", *frames)
            body = expect_err(p, "bad_frame", f"CTL with {len(frames)} frames")
            expect(body.get("command") == "CTL", f"ERR of a CTL must name command CTL, came {body.get('command')!r}")
        ids = [t.s.new_id("mx").decode() for _ in range(1001)]
        cases = [(b"{", ["not_json"]), (b"[]", ["not_object"]),
                 (b'{"action": "status"} x', ["not_json"]),
                 (b'{"action": "status", "action": "status"}', ["duplicate_member"]),
                 (b'{"action": "status"}' + b" " * (256 * 1024), ["too_large"]),
                 ({}, ["required"]), ({"action": "frob"}, ["enum"]), ({"action": 5}, ["type", "enum"]),
                 ({"action": "status", "extra": 1}, ["unknown_field"]),
                 ({"action": "pause"}, ["required"]),
                 ({"action": "pause", "kind": kind, "extra": 1}, ["unknown_field"]),
                 ({"action": "limit", "kind": kind}, None),
                 ({"action": "limit", "kind": kind, "concurrency": -1}, ["minimum"]),
                 ({"action": "limit", "kind": kind, "concurrency": 1_000_001}, ["maximum"]),
                 ({"action": "limit", "kind": kind, "concurrency": "2"}, ["type"]),
                 ({"action": "limit", "kind": kind, "concurrency": 2.5}, ["type"]),
                 ({"action": "limit", "kind": kind, "rate": -0.5}, ["minimum"]),
                 ({"action": "limit", "kind": kind, "rate": 1_000_001}, ["maximum"]),
                 ({"action": "cancel", "kind": kind}, ["required"]),
                 ({"action": "cancel", "kind": kind, "ids": []}, ["min_length"]),
                 ({"action": "cancel", "kind": kind, "ids": ids}, ["max_length"])]
        for request, codes in cases:
            shown = request[:50] if isinstance(request, bytes) else json.dumps(request)[:80]
            ctl_err(p, request, codes, f"CTL {shown!r}")
        st = kind_status(status(p), t.s.kind)
        expect(st["paused"] is False and no_limit(st["concurrency"]),
               f"refused CTL requests changed the kind: {st}")


@check("§3.7", "with CURVE, CTL from a key that is no operator is ERR forbidden, nothing changes")
def ctl_forbidden(t):
    """Like `DLQ`, with CURVE the broker MUST accept `CTL` only from operator keys (`ERR
    forbidden` otherwise)."""
    key = getattr(t.s.args, "producer_key", None)
    if not t.s.curve or not key:
        raise Skip("needs --curve-key and --producer-key (a producer key that is no operator)")
    kind = t.s.kind.decode()
    keys = zmq.auth.load_certificate(key)
    with controlled(t) as p:
        for request in ({"action": "status"}, {"action": "pause", "kind": kind},
                        {"action": "limit", "kind": kind, "concurrency": 1},
                        {"action": "cancel", "kind": kind, "ids": [t.s.new_id("fb").decode()]}):
            reply = answered(t, front_socket(t, keys), [b"KZ1", b"CTL", json.dumps(request).encode()]) or []
            expect(reply[:2] == [b"KZ1", b"ERR"], f"CTL {request['action']} from a producer key: expected ERR forbidden, "
                                                  f"came {show(reply) if reply else 'nothing'}")
            codes = [e.get("code") for e in load_json(reply[2])["errors"]]
            expect("forbidden" in codes, f"CTL {request['action']} from a producer key: expected ERR forbidden, came ERR {codes}")
        st = kind_status(status(p), t.s.kind)
        expect(st["paused"] is False and no_limit(st["concurrency"]), f"CTL refused as forbidden changed the kind: {st}")
