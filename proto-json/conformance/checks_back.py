"""Checks of the back endpoint: the worker session (§4.1, §4.2), heartbeats and leases (§4.3),
retries and dead letters (§4.4). Each check's docstring quotes the sentence it checks."""

from __future__ import annotations

import json
import time
import uuid

from harness import Fail, Skip, check, err_code, error_body, expect, load_json, show
from steps import (expect_err, expect_silence, finish, job_line, no_job, publish_one, purge,
                   room_for, take_and_done)

UNKNOWN_DELIVERIES = (b"18446744073709551615", b"18446744073709551614")


def needs_short_lease(t, factor=1):
    if t.s.lease * factor > 10:
        raise Skip(f"lease_ms {t.s.welcome['lease_ms']} is too long to wait for (at most 10000)")


def needs_short_heartbeat(t, factor):
    if t.s.heartbeat * factor > 40:
        raise Skip(f"heartbeat_ms {t.s.welcome['heartbeat_ms']} is too long to wait {factor} of them")


def window(t):
    """A silence window that ends well inside a lease."""
    return min(t.s.quiet, t.s.lease / 4)


def no_fin(p, item, what, seconds=None):
    p.test.sleep(p.test.s.quiet if seconds is None else seconds)
    fins = [m for m in p.log if m.command == b"FIN" and item.id in m.args[1:]]
    if fins:
        raise Fail(f"{what}: came {show([b'FIN', *fins[0].args])}")


def held_job(t, label):
    """A PUBW item held by worker a (credit 1), and a second worker b with credit 1 ready to
    receive it if the broker redelivers it."""
    p, item = publish_one(t, b"PUBW", label)
    a = t.worker(credit=1)
    job = a.take_one(item.id)
    b = t.worker(credit=1)
    return p, item, a, job, b


# ---------------------------------------------------------------------------------------------
# §4.1 Commands and §4.2 session

@check("§4.2", "messages before HELLO are answered ERR hello_required")
def hello_required(t):
    """Any message other than `HELLO` from a connection the broker does not know (it never said
    `HELLO` …) is answered `ERR hello_required`."""
    w = t.back_socket()
    for frames in ([b"CREDIT", b"1"], [b"HB"], [b"DONE", b"1"],
                   [b"FAIL", b"1", b"1", error_body("internal")], [b"BYE"]):
        w.send(*frames)
        expect_err(w, "hello_required", f"{show(frames)} before HELLO")


@check("§4.1", "an invalid HELLO body is answered ERR with the schema code, nothing registered")
def hello_invalid(t):
    """The broker answers `WELCOME` (or `ERR` with the schema errors of the body); nothing of a
    message answered with `ERR` was acted upon."""
    base = t.back_socket().identity
    cases = [({k: v for k, v in base.items() if k != "incarnation"}, "required"),
             (dict(base, concurrency=0), "minimum"),
             (dict(base, concurrency=1025), "maximum"),
             (dict(base, pid="1"), "type"),
             (dict(base, name=""), "min_length"),
             (dict(base, kinds=["News"]), "pattern"),
             ([base], ("type", "not_object")),
             (None, None)]
    for body, code in cases:
        code = (code,) if isinstance(code, str) else code
        raw = b'{"name": ' if body is None else json.dumps(body).encode()
        w = t.back_socket()
        w.send(b"HELLO", raw)
        m = w.expect(b"ERR", f"HELLO {raw[:60]!r}")
        codes = [e.get("code") for e in load_json(m.args[0])["errors"]]
        if code is not None and not set(code) & set(codes):
            raise Fail(f"HELLO {raw[:60]!r}: expected ERR {' or '.join(code)}, came ERR {codes}")
        w.send(b"CREDIT", b"1")
        expect_err(w, "hello_required", "CREDIT after a refused HELLO")
        w.close()


@check("§2.3", "a HELLO body that repeats a member name is answered ERR duplicate_member")
def hello_duplicate_member(t):
    """JSON objects MUST NOT contain duplicate member names. A receiver refuses such a body
    (`duplicate_member`, the message names the repeated member) … and the broker answers such a
    `HELLO` with `ERR`."""
    w = t.back_socket()
    body = json.dumps(w.identity)
    raw = (body[:-1] + ', "name": ' + json.dumps(w.identity["name"]) + "}").encode()
    w.send(b"HELLO", raw)
    m = w.expect(b"ERR", "HELLO with a repeated member")
    codes = [e.get("code") for e in load_json(m.args[0])["errors"]]
    expect("duplicate_member" in codes, f"expected ERR duplicate_member, came ERR {codes}")
    w.send(b"CREDIT", b"1")
    expect_err(w, "hello_required", "CREDIT after a refused HELLO")
    w.close()


@check("§6.3", "the broker ignores unknown members in a HELLO body")
def hello_unknown_member(t):
    """A receiver of a hello … body SHOULD ignore members it does not know (section 10), so that
    later `KZ1` peers can add optional members."""
    w = t.back_socket()
    w.hello(json.dumps(dict(w.identity, labels={"zone": "a"})).encode(), "HELLO with an unknown member")


@check("§4.2", "WELCOME validates against welcome.schema.json")
def welcome_valid(t):
    """The broker registers the connection and answers `WELCOME` with its incarnation,
    `heartbeat_ms`, `lease_ms` and `max_item_bytes` (welcome.schema.json)."""
    w = t.worker()
    problems = t.s.schemas.errors("welcome", w.welcome)
    expect(not problems, f"WELCOME breaks welcome.schema.json: {'; '.join(problems[:3])}")


@check("§4.2", "a worker starts with no credit")
def no_credit_at_start(t):
    """The worker starts with no credit."""
    w = t.worker()
    _, item = publish_one(t, b"PUB", "nocr")
    no_job(w, [item.id], t.s.quiet, "a job before any CREDIT")
    w.credit(1)
    w.done(w.take_one(item.id).delivery)


@check("§4.2", "the broker sends no more jobs than the worker's credit")
def credit_limits_jobs(t):
    """Dispatch is credit-based: the broker sends a worker no more jobs than it has asked for.
    Each job the broker sends consumes one credit."""
    p = t.producer()
    items = t.items(5, "cr")
    p.publish(items, b"PUB")
    w = t.worker(credit=2)
    ids = [i.id for i in items]
    t.wait(lambda: len(w.jobs_for(ids)) >= 2, t.s.timeout)
    t.sleep(t.s.quiet)
    got = len(w.jobs_for(ids))
    expect(w.jobs_total <= w.credit_total and got == 2,
           f"CREDIT 2 with 5 items queued: got {got} of them ({w.jobs_total} jobs for {w.credit_total} credit)")
    w.credit(3)
    jobs = w.take(ids)
    w.done(*[j.delivery for j in jobs.values()])


@check("§4.2", "DONE and FAIL do not restore credit")
def done_keeps_credit(t):
    """`DONE` and `FAIL` do not restore credit: the worker sends `CREDIT` again when it has room."""
    p = t.producer()
    items = t.items(4, "dk")
    ids = [i.id for i in items]
    p.publish(items, b"PUB")
    w = t.worker(credit=2)
    expect(t.wait(lambda: len(w.jobs_for(ids)) >= 2, t.s.timeout), "CREDIT 2: 2 jobs must come")
    first, second = w.jobs_for(ids)[:2]
    w.jobs = [j for j in w.jobs if j not in (first, second)]
    w.done(first.delivery)
    w.fail(second, retryable=True, code="unavailable")
    t.sleep(max(t.s.quiet, 1.2))                 # longer than the first backoff (≤ 0.5 s)
    extra = w.jobs_for(ids)
    if extra:
        raise Fail(f"after DONE and FAIL without new CREDIT: got a job for {job_line(extra[0])}")
    w.credit(3)
    rest = w.take([i for i in ids if i != first.id])
    w.done(*[j.delivery for j in rest.values()])


@check("§4.1", "JOB has 5 frames per job, attempt 1, id, kind and body byte for byte")
def job_frames(t):
    """`JOB` frames: delivery (number), id and kind as published, attempt 1 for the first
    delivery, body byte for byte as published."""
    p = t.producer()
    item = t.item("jf")
    item.body = (b' {"id":"' + item.id + b'", "kind":"' + item.kind + b'",\t"title":"\xe7\x9b\x8a\xe9\x98\xb3 \\u00e9",'
                 b' "body":"x" ,"n": 1.50e+3, "z": [ ] }\r\n ')
    p.publish([item], b"PUB")
    w = t.worker(credit=1)
    job = w.take_one(item.id)
    w.done(job.delivery)
    expect(job.kind == item.kind, f"JOB kind {job.kind!r}, published {item.kind!r}")
    expect(job.attempt == 1, f"first delivery: expected attempt 1, came {job.attempt}")
    expect(job.body == item.body, f"JOB body differs: published {item.body!r}, came {job.body!r}")


@check("§4.2", "at most max_batch jobs per JOB message")
def job_batch_limit(t):
    """The broker sends … at most `max_batch` jobs per `JOB` message."""
    n = t.s.max_batch
    if n > 2000:
        raise Skip(f"max_batch {n} is too large to exceed quickly")
    if t.s.max_credit <= n:
        raise Skip(f"max_credit {t.s.max_credit} ≤ max_batch {n}: no worker may hold more than max_batch jobs")
    room_for(t, n + 1)
    p = t.producer()
    items = t.items(n + 1, "jb")
    p.publish(items[:n], b"PUB")
    p.publish(items[n:], b"PUB")
    w = t.worker(credit=n + 1)
    jobs = w.take([i.id for i in items])
    w.done(*[j.delivery for j in jobs.values()])
    expect(max(w.job_sizes) <= n, f"a JOB message carried {max(w.job_sizes)} jobs, max_batch is {n}")


@check("§4.2", "only kinds listed in HELLO kinds are sent")
def kinds_filter(t):
    """The broker sends only kinds listed in the worker's `kinds` (all kinds if absent)."""
    other = t.s.other_kind
    p = t.producer()
    a, b = t.item("kf"), t.item("kf", other)
    p.publish([a, b], b"PUB")
    w = t.worker(credit=5, kinds=[other])
    job = w.take_one(b.id)
    no_job(w, [a.id], t.s.quiet, f"a worker of kinds [{other.decode()}] got a {a.kind.decode()} item")
    w.done(job.delivery)
    w.close()
    finish(t, [a])


@check("§4.1", "CREDIT n must be a number from 1 to 1000000")
def credit_bounds(t):
    """`CREDIT n` requires 1 ≤ n ≤ 1000000 written as a §2.1 number (no leading zeros); anything
    else is `ERR bad_frame`."""
    w = t.worker()
    for frames in ([b"0"], [b"05"], [b"-1"], [b"1000001"], [b""], [b" 1"], [b"1.0"], [b"+1"],
                   [b"18446744073709551616"], [b"1", b"1"], []):
        w.send(b"CREDIT", *frames)
        expect_err(w, "bad_frame", f"CREDIT {show(frames)}")
    w.send(b"CREDIT", b"1000000")
    if t.s.max_credit < 1000000:
        # §4.1: credit beyond the broker's max_credit (WELCOME) is not granted: ERR credit_limit.
        expect_err(w, "credit_limit", f"CREDIT 1000000 with max_credit {t.s.max_credit}")
    else:
        expect_silence(w, "CREDIT 1000000")


@check("§2.4", "ERR bad_frame for malformed DONE, FAIL, EXTEND and HB")
def back_bad_frames(t):
    """`bad_frame` (… wrong frame count, a bad number or flag frame …)."""
    w = t.worker()
    body = error_body("internal")
    for frames in ([b"DONE"], [b"DONE", b"x"], [b"DONE", b"01"], [b"DONE", b"1", b""],
                   [b"FAIL", b"1", b"2", body], [b"FAIL", b"1", b"1"], [b"FAIL", b"x", b"1", body],
                   [b"FAIL", b"1", b"", body], [b"FAIL", b"1", b"1", body, b"extra"],
                   [b"EXTEND"], [b"EXTEND", b"-1"], [b"HB", b"x"]):
        w.send(*frames)
        expect_err(w, "bad_frame", show(frames))


@check("§2.4", "ERR unknown_command for a command the back does not know")
def unknown_command_back(t):
    """`unknown_command`: the command is not known on this endpoint."""
    w = t.worker()
    for frames in ([b"FROB"], [b"PING"], [b"PUB", b"x", b"news", b"{}"]):
        w.send(*frames)
        expect_err(w, "unknown_command", f"{show(frames)} on the back")


@check("§2.4", "ERR is never answered with ERR on the back")
def err_not_answered_back(t):
    """A peer never answers an `ERR` with an `ERR`."""
    w = t.worker()
    w.send(b"ERR", error_body("bad_frame"))
    expect_silence(w, "KZ1 ERR sent by a worker")


@check("§2.4", "the back connection stays usable after ERR")
def back_usable_after_err(t):
    """Nothing of a message answered with `ERR` was acted upon, and the connection stays usable."""
    w = t.worker()
    w.send(b"CREDIT", b"0")
    expect_err(w, "bad_frame", "CREDIT 0")
    _, item = publish_one(t, b"PUB", "ue")
    w.credit(1)
    w.done(w.take_one(item.id, what="CREDIT 1 after an ERR").delivery)


# ---------------------------------------------------------------------------------------------
# §4.4 Outcomes of a delivery

@check("§4.4", "DONE finishes the item: FIN done, not redelivered")
def done_finishes(t):
    """`DONE`: the item is finished and removed from the queue."""
    p, item = publish_one(t, b"PUBW", "df")
    w = t.worker(credit=2)
    take_and_done(t, w, [item], p)
    no_job(w, [item.id], t.s.quiet, "a job after DONE")


@check("§4.4", "FAIL retryable is redelivered with attempt + 1 after the backoff")
def fail_retryable(t):
    """`FAIL … 1 …` (retryable): redelivered after a backoff, with attempt + 1; after attempt k
    the broker waits d = min(60 s, 500 ms × 2^(k−1)), randomised."""
    p, item = publish_one(t, b"PUBW", "fr")
    w = t.worker(credit=2)
    job = w.take_one(item.id)
    w.fail(job, retryable=True, code="unavailable")
    failed = time.monotonic()
    again = w.take_one(item.id, 0.5 + t.s.timeout, "redelivery after FAIL 1")
    delay = again.at - failed
    w.done(again.delivery)
    expect(again.attempt == job.attempt + 1, f"expected attempt {job.attempt + 1}, came {again.attempt}")
    slack = max(0.5, t.s.timeout / 3)
    expect(0.2 <= delay <= 0.5 + slack, f"redelivered {delay:.3f} s after FAIL 1 at attempt 1; the backoff "
                                        f"is 500 ms randomised (Karez: 0.25-0.5 s)")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.4", "FAIL not retryable dead-letters the item at once")
def fail_final(t):
    """`FAIL … 0 …` (not retryable): the item goes to the dead-letter list at once, with the
    error body."""
    p, item = publish_one(t, b"PUBW", "ff")
    w = t.worker(credit=2)
    job = w.take_one(item.id)
    w.fail(job, retryable=False, code="required")
    p.fin(item.id, b"dead", "FAIL 0")
    no_job(w, [item.id], t.s.quiet, "a job after FAIL 0")
    purge(t, p, item, "DLQ PURGE after FAIL 0")


@check("§4.4", "an item whose last attempt is lost goes to the dead-letter list")
def max_attempts(t):
    """When the delivery with attempt = `max_attempts` ends in anything but `DONE`, the item goes
    to the dead-letter list (`BYE`: redelivered at once, with attempt + 1)."""
    p, item = publish_one(t, b"PUBW", "ma")
    attempts = []
    for _ in range(50):
        w = t.worker(credit=1)
        backoff = min(60, 0.5 * 2 ** (len(attempts) - 1)) if attempts else 0   # tolerated here
        t.wait(lambda: w.jobs_for([item.id]) or p.fins_now([item.id]), backoff + t.s.timeout)
        if p.fins_now([item.id]):
            expect(not w.jobs_for([item.id]), "a job came after FIN dead")
            break
        job = w.take_one(item.id, 0, f"delivery after attempt {attempts[-1] if attempts else 0}")
        attempts.append(job.attempt)
        w.bye()
        w.close()
    else:
        raise Fail(f"still redelivered after {len(attempts)} attempts")
    outcome = p.fins_now([item.id])[item.id]
    expect(outcome == b"dead", f"after {len(attempts)} attempts: expected FIN dead, came FIN {outcome.decode()}")
    expect(attempts == list(range(1, len(attempts) + 1)),
           f"attempts must count deliveries 1, 2, 3 …, came {attempts}")
    purge(t, p, item, f"DLQ PURGE after {len(attempts)} attempts")


# ---------------------------------------------------------------------------------------------
# §4.3 Heartbeats and leases

@check("§4.3", "an expired lease is redelivered with attempt + 1")
def lease_expiry(t):
    """A job that is neither `DONE` nor `FAIL`ed within `lease_ms` of being sent is redelivered,
    possibly to another worker, with attempt + 1."""
    needs_short_lease(t)
    p, item, a, job, b = held_job(t, "le")
    again = b.take_one(item.id, t.s.lease + t.s.timeout, "redelivery after the lease")
    elapsed = again.at - job.at
    b.done(again.delivery)
    expect(again.attempt == job.attempt + 1, f"expected attempt {job.attempt + 1}, came {again.attempt}")
    expect(elapsed >= t.s.lease - 0.15, f"redelivered {elapsed:.2f} s after the job was sent, "
                                        f"before lease_ms {t.s.welcome['lease_ms']} ran out")
    expect(elapsed <= t.s.lease + 1.0, f"redelivered {elapsed:.2f} s after the job was sent, lease_ms is "
                                       f"{t.s.welcome['lease_ms']}: expected at once when it ran out (+1 s)")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.3", "a worker that lets a lease lapse loses its credit until it sends CREDIT again")
def lapsed_lease_withdraws_credit(t):
    """A job … not answered within `lease_ms` is redelivered …, and the worker that held it loses
    the credit it had left: the broker sends it nothing more until it sends `CREDIT` again."""
    needs_short_lease(t)
    p, item = publish_one(t, b"PUBW", "lc")
    a = t.worker(credit=1000)
    job = a.take_one(item.id)
    # Only a is connected: with its credit left, the redelivery would come back to it at once.
    t.wait(lambda: a.jobs_for([item.id]), t.s.lease + t.s.timeout)
    again = a.jobs_for([item.id])
    expect(not again, f"redelivered to the worker whose lease lapsed although it sent no CREDIT since "
                      f"(attempt {again[0].attempt if again else 0})")
    a.credit(1)
    redelivered = a.take_one(item.id, t.s.timeout, "redelivery after a new CREDIT")
    expect(redelivered.attempt == job.attempt + 1, f"expected attempt {job.attempt + 1}, came {redelivered.attempt}")
    a.done(redelivered.delivery)
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.3", "a DONE for an expired delivery is ignored without reply")
def late_done(t):
    """A later `DONE` or `FAIL` for that delivery … is ignored without reply."""
    needs_short_lease(t)
    p, item, a, job, b = held_job(t, "ld")
    again = b.take_one(item.id, t.s.lease + t.s.timeout, "redelivery after the lease")
    a.done(job.delivery)
    expect_silence(a, "DONE for the expired delivery")
    no_fin(p, item, "DONE for the expired delivery finished the item")
    b.done(again.delivery)
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.3", "DONE, FAIL and EXTEND for an unknown delivery are ignored without reply")
def unknown_delivery(t):
    """A later `DONE` or `FAIL` … for any delivery the broker no longer tracks, is ignored without
    reply; EXTEND: unknown deliveries ignored."""
    w = t.worker()
    w.done(UNKNOWN_DELIVERIES[0])
    expect_silence(w, "DONE of an unknown delivery")
    w.send(b"FAIL", UNKNOWN_DELIVERIES[1], b"1", error_body("internal"))
    expect_silence(w, "FAIL of an unknown delivery")
    w.extend(*UNKNOWN_DELIVERIES)
    expect_silence(w, "EXTEND of unknown deliveries")


@check("§4.1", "EXTEND keeps a job past its lease")
def extend_keeps_job(t):
    """`KZ1 EXTEND delivery …`: the worker is still working on these jobs; their leases restart
    from now (no reply)."""
    needs_short_lease(t, 2)
    p, item, a, job, b = held_job(t, "ex")
    until = job.at + 2 * t.s.lease
    while time.monotonic() < until:
        a.extend(job.delivery)
        t.wait(lambda: b.jobs_for([item.id]) or a.arrived(), t.s.lease / 3)
        redelivered, came = b.jobs_for([item.id]), a.arrived()
        if redelivered:
            raise Fail(f"redelivered {redelivered[0].at - job.at:.2f} s after the job was sent "
                       f"although EXTEND came every lease_ms/3")
        if came:
            raise Fail(f"EXTEND was answered {show([came[0].command, *came[0].args])}")
    a.done(job.delivery)
    p.fin(item.id, b"done", f"DONE after {2 * t.s.lease:g} s of EXTEND")


def redelivered_at_once(t, p, item, b, job, left, how, attempt=None):
    """b must get item again, with `attempt` (default: attempt + 1), within "at once" of `left`
    (no retry backoff)."""
    attempt = job.attempt + 1 if attempt is None else attempt
    t.wait(lambda: b.jobs_for([item.id]) or p.fins_now([item.id]), t.s.timeout + 1.0)
    if p.fins_now([item.id]).get(item.id) == b"dead":
        raise Skip(f"the item was dead-lettered after attempt {job.attempt} (max_attempts too small)")
    again = b.take_one(item.id, 0, f"redelivery after {how}")
    delay = again.at - left
    expect(again.attempt == attempt, f"after {how}: expected attempt {attempt}, came {again.attempt}")
    expect(delay <= t.s.prompt, f"after {how} at attempt {job.attempt}: redelivered {delay:.2f} s later, "
                                f"expected at once (within {t.s.prompt:.2f} s; a retry backoff?)")
    return again


@check("§4.2", "after DRAIN no job comes, and BYE with nothing in hand redelivers nothing")
def drain_then_bye(t):
    """`DRAIN`: send it no more jobs (its credit drops to 0 and later `CREDIT` is ignored); the
    jobs it holds stay its own. The broker answers `DRAINED` … it sends `BYE` with nothing in
    hand: no job is redelivered and no attempt counted."""
    p, item, a, job, b = held_job(t, "dn")
    a.send(b"DRAIN")
    a.expect(b"DRAINED", "DRAIN")
    a.send(b"CREDIT", b"5")
    p2, other = publish_one(t, b"PUBW", "dn")
    got = b.take_one(other.id, what="an item published after the other worker's DRAIN")
    no_job(a, [other.id], window(t), "a job after DRAIN (and a CREDIT)")
    a.done(job.delivery)
    p.fin(item.id, b"done", "DONE after DRAIN of the job held")
    b.credit(1)
    a.bye()
    no_job(b, [item.id], window(t), "a job redelivered after BYE with nothing in hand")
    b.done(got.delivery)
    p2.fin(other.id, b"done", "DONE of the item the other worker took")


@check("§4.4", "BYE redelivers the jobs in hand at once")
def bye_redelivers(t):
    """`BYE`: the worker is leaving; its jobs in hand are redelivered at once (§4.4: worker dead,
    `BYE` or reset by `HELLO`: redelivered at once, with attempt + 1). Two BYEs in a row."""
    p, item, a, job, b = held_job(t, "by")
    for _ in range(2):
        a.bye()
        job = redelivered_at_once(t, p, item, b, job, time.monotonic(), "BYE")
        a, b = b, t.worker(credit=1)
        t.sleep(0.05)                   # let the broker take b's CREDIT before a's BYE
    a.done(job.delivery)
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.3", "a worker silent for 3 × heartbeat_ms is declared dead")
def silent_worker(t):
    """The broker considers a worker silent for 3 × `heartbeat_ms` dead: its jobs in hand are
    redelivered and its credit dropped; a message from it is then answered `ERR hello_required`."""
    needs_short_heartbeat(t, 4)
    p, item = publish_one(t, b"PUBW", "sw")
    a = t.worker(credit=1, auto_hb=False)
    job = a.take_one(item.id)
    b = t.worker(credit=1)
    again = b.take_one(item.id, 4 * t.s.heartbeat + t.s.timeout, "redelivery from a silent worker")
    b.done(again.delivery)
    expect(again.attempt == job.attempt + 1, f"expected attempt {job.attempt + 1}, came {again.attempt}")
    t.sleep(a.last_sent + 4 * t.s.heartbeat - time.monotonic())  # the lease may have been shorter
    silent = time.monotonic() - a.last_sent
    a.send(b"CREDIT", b"1")
    a.welcome = None
    expect_err(a, "hello_required", f"CREDIT from a worker silent for {silent:.1f} s")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.4", "a worker dying with several jobs in hand is charged no attempt; then each goes alone")
def busy_worker_death(t):
    """A worker killed while it holds many jobs cannot say which one killed it, so the broker MUST
    NOT charge an attempt to any of them … An item that has been held by 2 such workers … MUST
    next be delivered alone, to a worker holding no other job, and that worker gets no other job
    until the delivery ends."""
    needs_short_heartbeat(t, 10)
    p = t.producer()
    items = t.items(2, "bw")
    p.publish(items)
    ids = [i.id for i in items]
    for death in (1, 2):
        w = t.worker(credit=2, auto_hb=False)
        jobs = w.take(ids, 4 * t.s.heartbeat + t.s.timeout, f"both items, before death {death}")
        bad = {j.id.decode(): j.attempt for j in jobs.values() if j.attempt != 1}
        expect(not bad, f"after {death - 1} death(s) of a worker holding both: attempts {bad}, expected 1 (not charged)")
        w.bye_on_close = False          # it dies: silent, no BYE
        w.close()
    w = t.worker(credit=5)
    first = w.take([ids[0]], 4 * t.s.heartbeat + t.s.timeout, "the oldest item, alone")[ids[0]]
    expect(first.attempt == 1, f"alone after two deaths: expected attempt 1, came {first.attempt}")
    expect(w.job_sizes[-1] == 1, f"expected the item alone in its JOB, came {w.job_sizes[-1]} jobs")
    no_job(w, [ids[1]], window(t), "another job while the worker holds an item delivered alone")
    w.done(first.delivery)
    second = w.take_one(ids[1], what="the other item once the first was DONE")
    w.done(second.delivery)
    fins = p.fins(ids)
    expect(all(fins.get(i) == b"done" for i in ids), f"expected FIN done for both, came {fins}")


@check("§4.3", "jobs the broker could not send to a gone connection are not counted")
def unsent_jobs_uncounted(t):
    """When the broker cannot send to a worker because its connection is gone, the jobs of that
    unsent message MUST go back to the queue with their attempt not counted (they never reached
    the worker)."""
    gone = t.worker(credit=50)
    gone.bye_on_close = False           # its connection closes with credit left, no BYE
    gone.close()
    t.sleep(0.5)                        # let the broker's I/O thread see the connection end
    b = t.worker(credit=1)
    p, item = publish_one(t, b"PUBW", "un")
    job = b.take_one(item.id, 4 * t.s.heartbeat + t.s.timeout, "the item, after a send to a gone connection")
    expect(job.attempt == 1, f"a JOB that could not be sent counted an attempt: came attempt {job.attempt}")
    b.done(job.delivery)
    p.fin(item.id, b"done", "DONE")


@check("§4.3", "any message is a sign of life, including one answered ERR")
def err_is_sign_of_life(t):
    """Any message from a known worker counts as a sign of life, including one answered `ERR`."""
    needs_short_heartbeat(t, 4)
    w = t.worker(auto_hb=False)
    until = time.monotonic() + 4 * t.s.heartbeat
    while time.monotonic() < until:
        w.send(b"CREDIT", b"0")
        m = w.expect(b"ERR", "CREDIT 0")
        code = err_code(m.args)
        expect(code == "bad_frame", f"CREDIT 0 every heartbeat_ms/2 and nothing else: came ERR {code} "
                                    f"{4 * t.s.heartbeat - (until - time.monotonic()):.1f} s after HELLO")
        t.sleep(t.s.heartbeat / 2)
    w.send(b"CREDIT", b"1")
    came = w.quiet()
    if came:
        raise Fail(f"CREDIT 1 after {4 * t.s.heartbeat:g} s of malformed CREDITs: came ERR {err_code(came[0].args)}")


@check("§4.3", "the broker sends HB to an idle worker")
def broker_heartbeats(t):
    """Each side sends `KZ1 HB` when it has sent nothing else to the other for `heartbeat_ms`."""
    needs_short_heartbeat(t, 2)
    w = t.worker()
    limit = 2 * t.s.heartbeat + 0.5
    expect(t.wait(lambda: w.heartbeats, limit), f"no HB from the broker within {limit:.1f} s "
                                                f"(heartbeat_ms {t.s.welcome['heartbeat_ms']})")


# ---------------------------------------------------------------------------------------------
# §4.2 A second HELLO

@check("§4.2", "a second HELLO with the same incarnation keeps the jobs in hand")
def rehello_keeps_jobs(t):
    """A second `HELLO` on a live connection with the same `incarnation` keeps the jobs it holds
    (not redelivered); a later DONE for them is accepted."""
    p, item, a, job, b = held_job(t, "rh")
    a.hello(what="second HELLO, same incarnation")
    no_job(b, [item.id], window(t), "job redelivered after a second HELLO of the same incarnation")
    a.done(job.delivery)
    p.fin(item.id, b"done", "DONE of the job held across the second HELLO")


@check("§4.2", "a second HELLO with the same incarnation does not burn an attempt")
def rehello_keeps_attempts(t):
    """A second `HELLO` … with the same `incarnation` keeps the jobs it holds (not redelivered,
    attempts not burned): a FAIL 1 afterwards is redelivered with attempt 2."""
    p, item, a, job, b = held_job(t, "ra")
    a.hello(what="second HELLO, same incarnation")
    a.fail(job, retryable=True, code="unavailable")
    again = b.take_one(item.id, 1.0 + t.s.timeout, "redelivery after FAIL 1")
    b.done(again.delivery)
    expect(again.attempt == 2, f"FAIL 1 of attempt 1 held across a second HELLO: expected attempt 2, "
                               f"came {again.attempt}")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.2", "a second HELLO resets the credit to 0")
def rehello_resets_credit(t):
    """A second `HELLO` on a connection …: its credit is set to 0, then `WELCOME` follows."""
    a = t.worker(credit=5)
    a.hello(what="second HELLO")
    _, item = publish_one(t, b"PUB", "rc")
    no_job(a, [item.id], t.s.quiet, "a job after the second HELLO without new CREDIT")
    b = t.worker(credit=1)
    b.done(b.take_one(item.id).delivery)


@check("§4.2", "a second HELLO with a new incarnation redelivers the jobs in hand at once")
def rehello_new_incarnation(t):
    """A `HELLO` on the same connection with a different `incarnation` (the worker restarted)
    replaces the registration: its jobs are delivered again at once, and the attempt they were on
    is not counted (attempt unchanged); a `DONE` or `FAIL` for the old deliveries is ignored."""
    p, item, a, job, b = held_job(t, "ri")
    a.identity["incarnation"] = uuid.uuid4().hex
    left = time.monotonic()
    a.hello(what="second HELLO, new incarnation")
    again = redelivered_at_once(t, p, item, b, job, left, "a HELLO with a new incarnation", attempt=job.attempt)
    a.done(job.delivery)
    no_fin(p, item, "DONE for a delivery of the old incarnation finished the item")
    b.done(again.delivery)
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.2", "a HELLO on a new connection with the same name, host and incarnation takes over the jobs")
def reconnect_takes_over(t):
    """A `HELLO` from a new connection with the same name, host and incarnation takes over the
    old connection's jobs."""
    p, item, a, job, b = held_job(t, "tk")
    a.bye_on_close = False
    a2 = t.worker(name=a.name, incarnation=a.identity["incarnation"])
    no_job(b, [item.id], window(t), "job redelivered after the same worker reconnected")
    a2.done(job.delivery)
    p.fin(item.id, b"done", "DONE on the new connection of a job taken on the old one")


@check("§4.2", "a HELLO on a new connection claiming a live worker's name is refused, or replaces it from the same key")
def reconnect_claims_live_name(t):
    """A `HELLO` on another connection with the `name` and `host` of a live worker and another
    `incarnation` is refused with `ERR name_in_use` unless it comes from the same principal: with
    CURVE the same key, which replaces the old registration (its jobs delivered again at once,
    the attempt not counted, the old connection answered `hello_required`). Without CURVE the
    principal is the incarnation, so it is refused and the live worker keeps its jobs."""
    p, item, a, job, b = held_job(t, "dr")
    a.bye_on_close = False
    if not t.s.curve:
        claimant = t.back_socket(name=a.name)
        claimant.bye_on_close = False
        claimant.send(b"HELLO", json.dumps(claimant.identity).encode())
        expect_err(claimant, "name_in_use", "HELLO claiming a live worker's name from another incarnation")
        no_job(b, [item.id], window(t), "job redelivered although the claim was refused")
        a.done(job.delivery)
        p.fin(item.id, b"done", "DONE from the worker that kept its job")
        return
    t.worker(name=a.name)
    again = b.take_one(item.id, min(t.s.timeout, t.s.lease * 0.75), "redelivery after the same key said HELLO as a new process")
    b.done(again.delivery)
    expect(again.attempt == job.attempt, f"expected attempt {job.attempt} (not counted), came {again.attempt}")
    a.send(b"CREDIT", b"1")
    expect_err(a, "hello_required", "CREDIT on the old connection")
    p.fin(item.id, b"done", "DONE of the redelivery")


@check("§4.1", "delivery tags are unique")
def delivery_tags_unique(t):
    """delivery: broker-assigned unsigned 64-bit tag naming this delivery of this item; never
    reused by the broker (checked across every job this run received)."""
    p = t.producer()
    items = t.items(3, "tag")
    p.publish(items, b"PUB")
    a = t.worker(credit=3)
    first = a.take([i.id for i in items])
    a.bye()
    b = t.worker(credit=3)
    second = b.take([i.id for i in items], what="redeliveries after BYE")
    b.done(*[j.delivery for j in second.values()])
    tags = [j.delivery for j in list(first.values()) + list(second.values())]
    expect(len(set(tags)) == len(tags), f"delivery tags repeat: {sorted(tags)}")
    expect(len(t.s.deliveries) > 0, "no deliveries recorded")
