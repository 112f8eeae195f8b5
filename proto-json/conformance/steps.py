"""Steps the checks share: expecting an ERR or silence, finishing items, dead-lettering one."""

from __future__ import annotations

from harness import Fail, Item, Job, Skip, Test, describe, expect, load_json, nak_code, show


def expect_err(endpoint, code: str, what: str) -> dict:
    """The next message must be ERR with this code; returns the error body."""
    m = endpoint.next()
    if m is None:
        raise Fail(f"{what}: expected ERR {code}, nothing came within {endpoint.waited(None)}")
    expect(m.command == b"ERR", f"{what}: expected ERR {code}, came {show([m.command, *m.args])}")
    try:
        body = load_json(m.args[0])
        got = body["errors"][0]["code"]
    except (ValueError, KeyError, IndexError, TypeError) as e:
        raise Fail(f"{what}: ERR body unreadable ({e}): {show(m.args)}")
    expect(got == code, f"{what}: expected ERR {code}, came ERR {got} ({body['errors'][0].get('message', '')})")
    return body


def expect_silence(endpoint, what: str, seconds=None):
    """Nothing may come (FIN of earlier items aside) within the quiet window."""
    came = endpoint.quiet(seconds)
    if came:
        raise Fail(f"{what}: expected no reply, came {show([came[0].command or b'', *came[0].args])}")


def expect_naks(p, items, code: str, what: str, since=None) -> dict:
    """Every item got exactly one outcome, NAK with this code; returns id -> error body."""
    got = p.collect([i.id for i in items], since)
    bodies = {}
    for item in items:
        outs = got.get(item.id) or got.get(item.id[:128], [])  # §3.2: echoed ids are cut to 128 bytes
        expect(len(outs) == 1 and outs[0].command == b"NAK" and nak_code(outs[0]) == code,
               f"{what} (id {item.id!r}, kind {item.kind!r}, body {item.body[:24]!r}…): "
               f"expected NAK {code}, came {describe(outs)}")
        bodies[item.id] = outs[0].detail
    return bodies


def take_and_done(t: Test, w, items, p=None):
    """w takes these items and reports them DONE; with p (PUBW producer), FIN done must follow."""
    jobs = w.take([i.id for i in items])
    w.done(*[j.delivery for j in jobs.values()])
    if p is not None:
        fins = p.fins([i.id for i in items])
        bad = [i.id.decode() for i in items if fins.get(i.id) != b"done"]
        expect(not bad, f"after DONE: no FIN done for {', '.join(bad[:5])}")
    return jobs


def finish(t: Test, items, credit=None):
    """Clean up: a fresh worker takes these items and reports them DONE."""
    if not items:
        return
    w = t.worker(credit=credit or len(items))
    take_and_done(t, w, items)
    w.close()


def room_for(t: Test, n: int):
    """Skip unless the broker's queue limit (PONG max_queued_items, if given) leaves room for n items."""
    limit = t.s.pong.get("max_queued_items")
    if isinstance(limit, int) and limit < n + 10:
        raise Skip(f"max_queued_items {limit} leaves no room for {n} items")


def publish_one(t: Test, command=b"PUBW", label="it", kind=None):
    """A producer and one fresh item it published (ACK)."""
    p = t.producer()
    item = t.item(label, kind)
    p.publish([item], command)
    return p, item


def dead_letter(t: Test, label="dead") -> tuple:
    """An item published with PUBW and refused by a worker (FAIL 0) until its FIN dead came."""
    p, item = publish_one(t, b"PUBW", label)
    w = t.worker(credit=1)
    job = w.take_one(item.id)
    w.fail(job, retryable=False, code="required")
    p.fin(item.id, b"dead", "FAIL 0")
    w.close()
    return p, item, job


def purge(t: Test, p, item: Item, what="DLQ PURGE"):
    n = p.dlq(b"PURGE", [item.id])
    expect(n == 1, f"{what}: expected DLQOK 1 for the dead letter {item.id.decode()}, came DLQOK {n}")


def no_job(w, ids, seconds, what):
    """w must get no job for these ids within `seconds`."""
    w.test.wait(lambda: w.jobs_for(ids), seconds)
    got = w.jobs_for(ids)
    if got:
        raise Fail(f"{what}: got a job for {job_line(got[0])}")


def job_line(job: Job) -> str:
    return f"{job.id.decode()} delivery {job.delivery.decode()} attempt {job.attempt}"
