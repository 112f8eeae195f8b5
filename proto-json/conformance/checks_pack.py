"""Checks of packed messages, `PACK` (§2.5; §4.1 broker → worker, §9 limits, §13): producers'
`PUB`, `PUBW`, `PUBX` and `PUBXW` packed and the replies to them, workers' `JOB` and `JOBX` packed
and their packed `DONE` and `EXTEND`, and every malformed form of a `PACK`. Each check's docstring
quotes the sentence it checks.

A packed frame is a sequence of fields, each a 4-byte unsigned big-endian length and its bytes
(`packed`, `unpacked`). `PackProducer` and `PackWorker` read both forms of what the broker sends:
a packed message is decoded and handled as the command it packs, and anything that breaks §2.5 (a
packed reply to a producer that never packed, a packed single-item message, a packed command the
broker may not send packed, several jobs of less than 8 MiB of bodies and ids sent unpacked to a
worker that accepts `PACK`, a packed frame that cannot be read) is recorded as a violation."""

from __future__ import annotations

import json
import re
import struct
import time

import zmq

from harness import (DURABILITIES, TAG, Fail, Item, Producer, Skip, Worker, check, describe, error_body,
                     expect, load_json, show)
from steps import expect_err, expect_naks, expect_silence, finish, no_job, room_for, take_and_done
from checks_back import UNKNOWN_DELIVERIES, needs_short_lease
from checks_control import EARLY, TRACEPARENT
from checks_front import big_enough_limit, drain_strays, fill_queue, queue_limit, sized_body

MAX_FIELDS = 6016                          # §2.5, §9: more is ERR bad_frame naming PACK
PACK_BODIES = 8 * 1024 * 1024              # §2.5: a JOB of this many bytes of bodies and ids or more comes unpacked
REPLY_HEAD = {b"ACK": 1, b"DUP": 0, b"BUSY": 1, b"FIN": 1}     # frames before the ids (§3.2)
COMMAND = re.compile(rb"[A-Z]{1,32}")


# ---------------------------------------------------------------------------------------------
# Packed frames

def packed(frames) -> bytes:
    """The fields of a packed frame (§2.5): each a 4-byte big-endian length and its bytes."""
    return b"".join(struct.pack(">I", len(f)) + f for f in frames)


def unpacked(raw: bytes) -> list:
    """The fields of a packed frame; ValueError for a cut length prefix, a field running past
    the end or more than 6016 fields."""
    fields, at = [], 0
    while at < len(raw):
        if len(raw) - at < 4:
            raise ValueError(f"a cut length prefix at byte {at} of {len(raw)}")
        (n,) = struct.unpack_from(">I", raw, at)
        at += 4
        if n > len(raw) - at:
            raise ValueError(f"field {len(fields)} of {n} bytes runs past the end ({len(raw) - at} left)")
        fields.append(raw[at:at + n])
        at += n
        if len(fields) > MAX_FIELDS:
            raise ValueError(f"more than {MAX_FIELDS} fields")
    return fields


def item_frames(items, command) -> list:
    x = command in (b"PUBX", b"PUBXW")
    return [f for i in items for f in (i.xframes if x else i.frames)]


def id_frames(fields, width) -> list:
    """The ids an ERR of a PUB-like command lists (§2.4): the id frames that are valid UTF-8 of at
    most 128 bytes, in order, the first 1000."""
    ids = []
    for f in fields[0::width][:1000]:
        try:
            text = f.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if len(f) <= 128:
            ids.append(text)
    return ids


def named(command: bytes):
    """The `command` of an ERR unknown_command refusing `PACK command …`: that packed command
    (§2.5), left out (None) when it is not 1 to 32 ASCII upper-case letters (§2.4). Never `PACK`:
    that comes only from a peer that does not know `PACK`."""
    return command.decode() if COMMAND.fullmatch(command) else None


def expect_named_err(endpoint, code, commands, what, ids=None) -> dict:
    """ERR with this code whose `command` is one of `commands`; with ids, `ids` exactly so (left
    out when empty, §2.4)."""
    commands = commands if isinstance(commands, tuple) else (commands,)
    body = expect_err(endpoint, code, what)
    expect(body.get("command") in commands,
           f"{what}: expected ERR {code} " + " or ".join(f"naming {c}" if c else "without command" for c in commands)
           + f", came command={body.get('command')!r}")
    if ids is not None:
        expect(body.get("ids", []) == ids and ("ids" in body) == bool(ids),
               f"{what}: expected ids {ids[:3] if ids else '(left out)'}{' …' if len(ids) > 3 else ''} "
               f"({len(ids)}), came {str(body.get('ids', '(left out)'))[:120]}")
    return body


# ---------------------------------------------------------------------------------------------
# Endpoints that read both forms

class PackProducer(Producer):
    """A producer that sends its PUBs packed (`packing`, the default) and reads the replies in
    both forms. `packed` lists (command, number of ids) of the replies that came packed, `plain`
    those of the ACK, DUP, BUSY and FIN that came unpacked."""

    def __init__(self, test, address, name, envelope=(), raw=False, packing=True, routing_id=None):
        super().__init__(test, address, name, envelope, raw, routing_id)
        self.packing = packing
        self.sent_pack = False
        self.packed = []
        self.plain = []

    def send_raw(self, *frames):
        if len(frames) > 1 and frames[1] == b"PACK":
            self.sent_pack = True
        super().send_raw(*frames)

    def pub(self, items, command=b"PUB"):
        """PUB/PUBW/PUBX/PUBXW these items, as `KZ1 PACK command packed` when packing."""
        if not self.packing:
            return super().pub(items, command)
        self.track(items, command)
        self.send(b"PACK", command, packed(item_frames(items, command)))
        return self.cursor

    def receive(self, command, args):
        check = self.test.violation
        if command != b"PACK":
            if command in REPLY_HEAD:
                self.plain.append((command, len(args) - REPLY_HEAD[command]))
            super().receive(command, args)
            return
        if len(args) != 2:
            check(f"PACK must have a packed command and a packed frame: {show([command, *args])}")
            return
        inner, raw = args
        if inner not in REPLY_HEAD:
            check(f"PACK {inner.decode(errors='replace')} to a producer: only ACK, DUP, BUSY and FIN are sent packed")
            return
        try:
            fields = unpacked(raw)
        except ValueError as e:
            check(f"PACK {inner.decode()} from the broker: {e}")
            return
        if not self.sent_pack:
            check(f"PACK {inner.decode()} to a producer that never sent PACK: {show(fields)}")
        ids = len(fields) - REPLY_HEAD[inner]
        if ids <= 1:
            check(f"a {inner.decode()} naming {max(ids, 0)} item came packed (single-item messages are never packed): "
                  f"{show(fields)}")
        self.packed.append((inner, ids))
        super().receive(inner, fields)


class PackWorker(Worker):
    """A worker that reads JOB and JOBX in both forms. `messages` lists (form, command, jobs, bytes
    of bodies and ids) of every JOB/JOBX message, form b"packed" or b"plain"; `got_packed` says whether a
    packed message came since its last HELLO (then it may send DONE and EXTEND packed)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages = []
        self.got_packed = False

    def hello(self, body=None, what="HELLO") -> dict:
        self.got_packed = False
        return super().hello(body, what)

    def receive(self, command, args):
        if command == b"PACK":
            self.on_pack(args)
            return
        if command in (b"JOB", b"JOBX"):
            self.note(b"plain", command, args)
        super().receive(command, args)

    def on_pack(self, args):
        check = self.test.violation
        if not self.accepts(b"PACK"):
            check(f"PACK to a worker whose HELLO accepts does not list PACK: {show(args)}")
        if len(args) != 2:
            check(f"PACK must have a packed command and a packed frame: {show([b'PACK', *args])}")
            return
        inner, raw = args
        if inner not in (b"JOB", b"JOBX"):
            check(f"PACK {inner.decode(errors='replace')} to a worker: only JOB and JOBX are sent packed")
            return
        try:
            fields = unpacked(raw)
        except ValueError as e:
            check(f"PACK {inner.decode()} from the broker: {e}")
            return
        if len(raw) > 16 * 1024 * 1024:
            check(f"a packed frame of {len(raw)} bytes, above the 16 MiB frame limit")
        self.got_packed = True
        self.note(b"packed", inner, fields)
        super().receive(inner, fields)

    def note(self, form, command, fields):
        width = 5 if command == b"JOB" else 6
        if not fields or len(fields) % width:
            return                              # on_jobs records the violation
        jobs = len(fields) // width
        size = sum(len(fields[i + 1]) + len(fields[i + width - 1]) for i in range(0, len(fields), width))
        self.messages.append((form, command, jobs, size))
        if form == b"packed":
            if jobs < 2:
                self.test.violation(f"a {command.decode()} of one job came packed (a message of one job goes unpacked)")
            if size >= PACK_BODIES:
                self.test.violation(f"a {command.decode()} of {jobs} jobs and {size} bytes of bodies and ids came packed "
                                    f"(8 MiB or more go unpacked)")
        elif self.accepts(b"PACK") and jobs > 1 and size < PACK_BODIES:
            self.test.violation(f"a {command.decode()} of {jobs} jobs ({size} bytes of bodies and ids) came unpacked to a "
                                f"worker whose HELLO accepts lists PACK")

    def packed_messages(self, command=None):
        return [m for m in self.messages if m[0] == b"packed" and command in (None, m[1])]

    def pack_done(self, *deliveries):
        self.send(b"PACK", b"DONE", packed(deliveries))
        self.test.s.ledger.done(deliveries)

    def pack_extend(self, *deliveries):
        self.send(b"PACK", b"EXTEND", packed(deliveries))


def pack_producer(t, packing=True, routing_id=None) -> PackProducer:
    return t._add(PackProducer(t, t.s.front, f"producer{next(t.names)}", packing=packing, routing_id=routing_id))


def pack_worker(t, credit=0, accepts=(b"PACK",), kinds=None) -> PackWorker:
    """A worker that said HELLO with these `accepts` (None: no accepts member) and asked for credit."""
    w = t._add(PackWorker(t, f"w{next(t.names)}", kinds, None, True, None if accepts is None else list(accepts)))
    w.hello()
    w.credit(credit)
    return w


def packed_jobs(t, label, n=3, accepts=(b"PACK",)):
    """n fresh PUBW items, queued before a worker whose HELLO accepts lists PACK asks for them:
    (producer, items, worker, jobs by id). At least one message must have come packed (Skip when
    the broker sent each job alone: there was nothing to pack)."""
    p = t.producer()
    items = t.items(n, label)
    p.publish(items, b"PUBW")
    w = pack_worker(t, credit=n, accepts=accepts)
    jobs = w.take([i.id for i in items])
    if not w.got_packed:
        several = [m for m in w.messages if m[2] > 1]
        expect(not several, f"{len(several)} JOB messages of several jobs came unpacked to a worker that accepts PACK")
        raise Skip(f"the broker sent each of {n} queued jobs alone: no message to pack")
    return p, items, w, jobs


def deliveries(jobs, items):
    return [jobs[i.id].delivery for i in items]


# ---------------------------------------------------------------------------------------------
# §2.5 Producers: packed PUB, PUBW, PUBX, PUBXW and the replies


def refused_then_done(t, p, w, items, ds, refused="packed DONE"):
    """After refused messages: nothing finished; a good packed DONE then finishes them all."""
    t.sleep(t.s.quiet)
    early = p.fins_now([i.id for i in items])
    expect(not early, f"a refused {refused} was acted upon: FIN {early}")
    w.pack_done(*ds)
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"packed DONE after the refused ones: expected FIN done, came {fins}")

@check("§2.5", "a packed PUB and a packed PUBW are answered as unpacked: ACK per item, FIN done for the PUBW's")
def packed_pub_pubw(t):
    """`KZ1 PACK PUBW packed` with the fields `a1 patient {…} a2 patient {…}` is the message
    `KZ1 PUBW a1 patient {…} a2 patient {…}`, and is answered as that message is. Each field is
    read exactly as the frame it stands for (bodies reach the worker byte for byte; `PUB` items
    get no `FIN`)."""
    p = pack_producer(t)
    plain, waited = t.items(3, "pp"), t.items(3, "pw")
    odd = plain[0]
    odd.body = (b' \r\n{"id":"' + odd.id + b'",\t"kind":"' + odd.kind + b'", "title":"\xe7\x9b\x8a\xe9\x98\xb3",'
                b' "body":"\\u0000\\u0004x" }\n')
    floor = DURABILITIES.index(t.s.pong["durability"].encode())
    for items, command in ((plain, b"PUB"), (waited, b"PUBW")):
        got = p.publish(items, command)
        low = [i.id.decode() for i in items if DURABILITIES.index(got[i.id][0].detail) < floor]
        expect(not low, f"packed {command.decode()}: ACK durability below PONG's {t.s.pong['durability']} for {low[:2]}")
    w = t.worker(credit=6)
    jobs = w.take([i.id for i in plain + waited])
    w.done(*[j.delivery for j in jobs.values()])
    changed = [i.id.decode() for i in plain + waited if jobs[i.id].body != i.body or jobs[i.id].kind != i.kind]
    expect(not changed, f"JOB body or kind differs from the packed field published: {changed[:3]}")
    fins = p.fins([i.id for i in waited])
    expect(all(fins.get(i.id) == b"done" for i in waited), f"packed PUBW: expected FIN done for all 3, came {fins}")
    t.sleep(t.s.quiet)
    stray = p.fins_now([i.id for i in plain])
    expect(not stray, f"items of a packed PUB got FIN: {stray}")


@check("§2.5", "replies naming several items to a producer that packs come packed or plain, each item named once")
def packed_replies(t):
    """The broker then sends that connection its `ACK`, `DUP`, `BUSY` and `FIN` replies naming
    more than one item packed too, and otherwise unpacked: a producer that packs MUST read both
    forms. (Packed replies are decoded as the command they pack; here ACK, DUP and FIN.)"""
    p = pack_producer(t)
    items = t.items(4, "pr")
    p.publish(items, b"PUBW")
    got = p.collect([i.id for i in items], p.pub(items, b"PUBW"))
    bad = [f"{i.id.decode()}: {describe(got.get(i.id))}" for i in items
           if [o.command for o in got.get(i.id, [])] != [b"DUP"]]
    expect(not bad, f"the same 4 items packed again: expected DUP once each, came {'; '.join(bad[:3])}")
    new = t.items(2, "pr")
    got = p.collect([i.id for i in new + items[:1]], p.pub(new + items[:1], b"PUBW"))
    wrong = [f"{i.id.decode()}: {describe(got.get(i.id))}" for i, want in [(n, b"ACK") for n in new] + [(items[0], b"DUP")]
             if [o.command for o in got.get(i.id, [])] != [want]]
    expect(not wrong, f"2 new items and one published before, packed: expected ACK, ACK, DUP, came {'; '.join(wrong)}")
    w = t.worker(credit=6)
    jobs = w.take([i.id for i in items + new])
    w.done(*[j.delivery for j in jobs.values()])
    fins = p.fins([i.id for i in items + new])
    missing = [i.id.decode() for i in items + new if fins.get(i.id) != b"done"]
    expect(not missing, f"one DONE for 6 items: no FIN done for {missing[:3]}")


@check("§2.5", "BUSY to a producer that packs: ACK for the items that fit, BUSY for the rest, packed or plain")
def packed_busy(t):
    """The broker then sends that connection its `ACK`, `DUP`, `BUSY` and `FIN` replies … packed
    too (§3.1: the queue limit is applied item by item: `ACK` for those that fit, `BUSY` for the
    rest)."""
    limit = queue_limit(t)
    drain_strays(t)
    p = pack_producer(t)
    by_id, before, (ok, busy), _ = fill_queue(t, p, limit)
    try:
        expect(len(before) + len(ok) == limit,
               f"max_queued_items {limit}: {len(before)} ACKed in full packed PUBs, then a packed PUB of "
               f"{len(ok) + len(busy)} got ACK {len(ok)} and BUSY {len(busy)}; expected ACK for exactly the "
               f"{limit - len(before)} that fit")
        expect(len(busy) > 1, f"expected BUSY for several items of the packed PUB that overflowed, came {len(busy)}")
    finally:
        finish(t, [by_id[i] for i in before + ok], credit=limit + 1000)


@check("§2.5", "to a producer that packs, single-item replies, NAK and PONG come unpacked")
def packed_single_items(t):
    """The broker never packs a message of one item or job, nor any command outside the list
    above. (A one-item packed `PUBW`: its `ACK` and `FIN`; `NAK`; `PONG`.)"""
    p = pack_producer(t)
    item = t.item("p1")
    p.publish([item], b"PUBW")
    w = t.worker(credit=1)
    take_and_done(t, w, [item], p)
    bad = [Item(b"-" + t.s.new_id("p1"), t.s.kind, b"{}"), Item(b"." + t.s.new_id("p1"), t.s.kind, b"{}")]
    for i in bad:
        t.mine.add(i.id)
    expect_naks(p, bad, "bad_id", "a packed PUB of two malformed ids", p.pub(bad))
    p.ping()
    expect(not p.packed, f"replies came packed: {p.packed}")


@check("§2.5", "a producer that never sent PACK gets every reply unpacked, beside one that packs")
def plain_producer_plain_replies(t):
    """§13: the broker sends them only to producers that sent one (§2.5: it then sends *that
    connection* its replies naming more than one item packed)."""
    plain, packer = pack_producer(t, packing=False), pack_producer(t)
    a, b = t.items(3, "np"), t.items(3, "np")
    packer.publish(b, b"PUBW")
    plain.publish(a, b"PUBW")
    got = plain.collect([i.id for i in a], plain.pub(a, b"PUBW"))
    expect(all([o.command for o in got.get(i.id, [])] == [b"DUP"] for i in a),
           f"the same 3 items again: expected DUP, came {[describe(got.get(i.id)) for i in a]}")
    w = t.worker(credit=6)
    jobs = w.take([i.id for i in a + b])
    w.done(*[j.delivery for j in jobs.values()])
    for p, items in ((plain, a), (packer, b)):
        fins = p.fins([i.id for i in items])
        expect(all(fins.get(i.id) == b"done" for i in items), f"one DONE for all: expected FIN done, came {fins}")
    expect(not plain.packed, f"a producer that never packed got packed replies: {plain.packed}")


@check("§2.5", "a producer that publishes unpacked after packing gets unpacked replies again, until it packs again")
def unpacked_after_packing(t):
    """§2.5: after a PUB, PUBW, PUBX or PUBXW that is not packed and not refused whole with
    ERR, the broker MUST send it unpacked replies again, until it next publishes packed (once a
    DEALER producer published packed, the broker sends its replies naming more than one item
    packed too)."""
    p = pack_producer(t)
    for packing in (True, False, True):
        items = t.items(3, "up")
        p.packing = packing
        packed_before = len(p.packed)
        p.publish(items, b"PUBW")
        w = t.worker(credit=3)
        jobs = w.take([i.id for i in items])
        w.done(*[j.delivery for j in jobs.values()])
        fins = p.fins([i.id for i in items])
        expect(all(fins.get(i.id) == b"done" for i in items), f"one DONE for all: expected FIN done, came {fins}")
        if not packing:
            expect(len(p.packed) == packed_before,
                   f"after an unpacked PUBW its ACK and FIN came packed: {p.packed[packed_before:]}")
        else:
            expect(len(p.packed) > packed_before,
                   f"after a packed PUBW of 3 items its ACK and FIN came unpacked: {p.plain[-2:]}")


@check("§2.5", "a producer reconnecting under the routing id of one that packed, and not packing, gets unpacked replies")
def reconnect_under_packers_routing_id(t):
    """§2.5: a producer that reconnects with the routing id of one that packed, and does not
    read PACK, reads every reply from the one to its first publish on."""
    rid = t.s.new_id("rid")
    first = pack_producer(t, routing_id=rid)
    a = t.items(3, "rr")
    first.publish(a, b"PUB")
    expect(first.packed, f"(setup) a packed PUB of 3 items: expected its ACK packed, came {first.plain}")
    first.close()
    # A ROUTER ignores a connection under a routing id it still holds (section 2.2): the broker
    # may not have seen the first one close yet. Such a connection stays deaf, so when no PONG
    # comes within a second, connect anew, as section 2.2 tells a peer that sets its own
    # routing id to.
    deadline = time.monotonic() + 3 * t.s.timeout
    while True:
        second = pack_producer(t, packing=False, routing_id=rid)
        second.send(b"PING")
        m = second.next(1.0)
        if m is not None:
            expect(m.command == b"PONG", f"PING under routing id {rid.decode()}: expected PONG, came {show([m.command or b'', *m.args])}")
            break
        second.close()
        if time.monotonic() > deadline:
            raise Fail(f"a producer under routing id {rid.decode()} (its earlier connection closed) got no PONG")
    b = t.items(3, "rr")
    second.publish(b, b"PUB")
    expect(not second.packed, f"after a plain PUB under a packer's routing id, replies came packed: {second.packed}")
    finish(t, a + b)


@check("§2.5", "a REQ peer's one-item packed PUB gets exactly one unpacked ACK")
def packed_req(t):
    """The broker never packs a message of one item or job, nor any command outside the list
    above (so a `REQ` peer, which sends one item per `PUB`, never gets a packed reply)."""
    sock = t.req_socket()
    item = t.item("rq")
    try:
        sock.send_multipart([TAG, b"PACK", b"PUB", packed(item.frames)])
        try:
            reply = sock.recv_multipart()
        except zmq.Again:
            raise Fail(f"REQ PACK PUB: no reply within {t.s.timeout:g} s")
        if item.id in reply or (len(reply) > 3 and reply[1] == b"PACK"):
            t.s.ledger.accepted([item.id])
        expect(len(reply) == 4 and reply[:2] == [TAG, b"ACK"] and reply[2] in DURABILITIES and reply[3] == item.id,
               f"REQ PACK PUB of one item: expected KZ1 ACK durability {item.id.decode()}, came {show(reply)}")
        sock.send_multipart([TAG, b"PING"])
        try:
            reply = sock.recv_multipart()
        except zmq.Again:
            raise Fail(f"REQ PING after PACK: no reply within {t.s.timeout:g} s")
        expect(reply[:2] == [TAG, b"PONG"], f"REQ PING after PACK: expected PONG, came {show(reply)}")
    finally:
        sock.close()
    finish(t, [item])


@check("§2.5", "packed PUBX and PUBXW with options: delay, priority, traceparent (JOBX) and empty options")
def packed_pubx(t):
    """Producers MAY send `PUB`, `PUBW`, `PUBX` and `PUBXW` packed … A receiver reads a `PACK`
    as the command it packs (§3.6: not delivered before its delay; the traceparent in the `JOBX`
    meta frame; an empty options frame: no options; `PUBX` items get no `FIN`)."""
    delay = 1.0
    p = pack_producer(t)
    late = t.item("px", options={"delay_ms": int(delay * 1000)})
    traced = t.item("px", options={"traceparent": TRACEPARENT})
    bare = t.item("px")
    ranked = t.item("px", options={"priority": 5, "ttl_ms": 60000})
    sent = time.monotonic()
    p.publish([late, traced, bare, ranked], b"PUBXW")
    quiet = [t.item("px", options={"priority": 1}), t.item("px")]
    p.publish(quiet, b"PUBX")
    w = t.worker(credit=6, accepts=[b"JOBX"])
    now = [traced, bare, ranked] + quiet
    jobs = w.take([i.id for i in now])
    early = w.jobs_for([late.id])
    expect(not early or early[0].at - sent >= delay - EARLY,
           f"the item with delay_ms {delay * 1000:g} came {early[0].at - sent if early else 0:.3f} s after its packed PUBXW")
    job = w.take_one(late.id, max(0.0, sent + delay + 1.0 - time.monotonic()), "the delayed item")
    jobs[late.id] = job
    w.done(*[j.delivery for j in jobs.values()])
    expect(job.at - sent >= delay - EARLY, f"delivered {job.at - sent:.3f} s after its packed PUBXW, before its "
                                           f"delay_ms {delay * 1000:g}")
    tj = jobs[traced.id]
    expect(tj.command == b"JOBX" and tj.meta and load_json(tj.meta).get("traceparent") == TRACEPARENT,
           f"the item with a traceparent: expected JOBX with it in the meta frame, came {tj.command.decode()} "
           f"meta {tj.meta!r}")
    changed = [i.id.decode() for i in now + [late] if jobs[i.id].body != i.body]
    expect(not changed, f"JOB bodies differ from the packed fields: {changed[:3]}")
    fins = p.fins([i.id for i in (late, traced, bare, ranked)])
    expect(all(fins.get(i.id) == b"done" for i in (late, traced, bare, ranked)),
           f"packed PUBXW: expected FIN done for all 4, came {fins}")
    t.sleep(t.s.quiet)
    expect(not p.fins_now([i.id for i in quiet]), "items of a packed PUBX got FIN")


@check("§2.5", "each field keeps the rules of its frame: NAK bad_id, unknown_kind, too_large, invalid_utf8, not_object, bad options")
def packed_field_rules(t):
    """Each field is read exactly as the frame it stands for (its type, its rules, its limits)
    (§3.1: the per-item checks and their `NAK`; §3.6: options at `/options/…`)."""
    big_enough_limit(t)
    p = pack_producer(t)
    kind = t.s.kind
    ids = [t.s.new_id("pf") for _ in range(3)]
    cases = [(Item(b"-" + t.s.new_id("pf"), kind, b"{}"), "bad_id"),
             (t.item("pf", b"nokind" + t.s.run[-6:].encode()), "unknown_kind"),
             (Item(ids[0], kind, sized_body(ids[0], kind, t.s.max_item_bytes + 1)), "too_large"),
             (Item(ids[1], kind, b'{"id":"' + ids[1] + b'","title":"\xff\xfe"}'), "invalid_utf8"),
             (Item(ids[2], kind, b' \n["' + ids[2] + b'"]'), "not_object")]
    for item, _ in cases:
        t.mine.add(item.id)
    good = t.item("pf")
    since = p.pub([i for i, _ in cases] + [good], b"PUB")
    for item, code in cases:
        expect_naks(p, [item], code, f"a packed PUB, {code}", since)
    got = p.collect([good.id], since)
    expect([o.command for o in got.get(good.id, [])] == [b"ACK"],
           f"the good item of the packed PUB: expected ACK, came {describe(got.get(good.id))}")
    bad_opts = t.item("pf", options={"priority": 10})
    good_x = t.item("pf", options={"priority": 9})
    got = p.collect([bad_opts.id, good_x.id], p.pub([bad_opts, good_x], b"PUBX"))
    outs = got.get(bad_opts.id, [])
    errors = [(e.get("path"), e.get("code")) for o in outs if o.command == b"NAK" for e in o.detail.get("errors", [])]
    expect(len(outs) == 1 and errors == [("/options/priority", "maximum")],
           f"a packed PUBX with priority 10: expected NAK maximum at /options/priority, came {describe(outs)} {errors}")
    expect([o.command for o in got.get(good_x.id, [])] == [b"ACK"],
           f"the good item of the packed PUBX: expected ACK, came {describe(got.get(good_x.id))}")
    finish(t, [good, good_x])


# ---------------------------------------------------------------------------------------------
# §2.5 Malformed PACK on the front

@check("§2.5", "ERR bad_frame naming PACK for a PACK of 2, 3 or 5 frames; nothing stored")
def pack_frame_count(t):
    """A `PACK` whose frame count is not 4 … is answered `ERR bad_frame` (`command` `PACK`).
    Nothing of a message answered with `ERR` was acted upon, and the connection stays usable."""
    p = pack_producer(t)
    items = t.items(2, "pc")
    raw = packed(item_frames(items, b"PUB"))
    for frames in ([], [b"PUB"], [b"PUBW", raw, b""], [b"PUB", raw, raw]):
        p.send(b"PACK", *frames)
        expect_named_err(p, "bad_frame", "PACK", f"KZ1 PACK and {len(frames)} frames")
    p.ping()
    p.publish(items, b"PUB")               # ACK, not DUP: nothing of the refused messages was stored
    finish(t, items)


@check("§2.5", "ERR bad_frame naming PACK for a cut length prefix or a field running past the end; nothing stored")
def pack_cut(t):
    """A `PACK` whose … packed frame has a cut length prefix or a field running past its end …
    is answered `ERR bad_frame` (`command` `PACK`)."""
    p = pack_producer(t)
    items = t.items(2, "pk")
    raw = packed(item_frames(items, b"PUB"))
    cases = [("1 byte after the last field", raw + b"\x00"),
             ("3 bytes after the last field", raw + b"\x00\x00\x01"),
             ("a lone cut prefix", b"\x00\x00\x00"),
             ("the last field one byte short", raw[:-1]),
             ("a field of 2^32 - 1 bytes announced", raw + b"\xff\xff\xff\xff{}"),
             ("a field of 5 bytes announced, 4 there", b"\x00\x00\x00\x05" + items[0].id[:4])]
    for command in (b"PUB", b"PUBW"):
        for what, frame in cases:
            p.send(b"PACK", command, frame)
            expect_named_err(p, "bad_frame", "PACK", f"PACK {command.decode()}, {what}")
    p.publish(items, b"PUB")
    finish(t, items)


@check("§2.5", "ERR bad_frame naming PACK for more than 6016 fields; 6016 fields are read as the packed PUB")
def pack_too_many_fields(t):
    """A `PACK` … that holds more than 6016 fields is answered `ERR bad_frame` (`command`
    `PACK`). §9: `PACK` 6016 fields; otherwise the limits of the packed command, each field
    counting as a frame (a PUB of 2005 items and one field more: the PUB's `ERR bad_frame`,
    naming `PUB` and its first 1000 ids)."""
    p = pack_producer(t)
    items = [t.item("pm", body=b"{}") for _ in range(2005)]
    frames = item_frames(items, b"PUB")
    p.send(b"PACK", b"PUB", packed(frames + [b"", b""]))
    expect_named_err(p, "bad_frame", "PACK", f"PACK PUB of {len(frames) + 2} fields")
    p.send(b"PACK", b"PUB", packed(frames + [b""]))
    expect_named_err(p, "bad_frame", "PUB", f"PACK PUB of {len(frames) + 1} fields (2005 items and one more)",
                     ids=[i.id.decode() for i in items[:1000]])
    p.publish([items[0], items[-1]], b"PUB")
    finish(t, [items[0], items[-1]])


@check("§2.5", "ERR unknown_command naming the packed command for one not in the list or not taken by the front; nothing stored")
def pack_unknown_front(t):
    """A packed command not in the list above, or not one the receiving endpoint takes, is
    `ERR unknown_command` naming that packed command. So `ERR unknown_command` naming `PACK`
    itself comes only from a peer that does not know `PACK`."""
    p = pack_producer(t)
    item = t.item("pu")
    fields = packed(item.frames)
    job = [b"1", item.id, item.kind, b"1", item.body]
    cases = [(b"FROB", fields), (b"PING", b""), (b"DLQ", packed([b"PURGE", item.id])),
             (b"NAK", packed([item.id, error_body("bad_id")])), (b"ACK", packed([b"memory", item.id, item.id])),
             (b"DUP", packed([item.id, item.id])), (b"BUSY", packed([b"100", item.id, item.id])),
             (b"FIN", packed([b"done", item.id, item.id])), (b"JOB", packed(job + job)),
             (b"JOBX", packed(job[:4] + [b""] + job[4:])), (b"DONE", packed([b"1", b"2"])),
             (b"EXTEND", packed([b"1", b"2"]))]
    for command, frame in cases:
        p.send(b"PACK", command, frame)
        expect_named_err(p, "unknown_command", named(command), f"PACK {command.decode()} to the front")
    p.publish([item], b"PUB")              # ACK, not DUP: nothing of the refused ones was stored
    finish(t, [item])


@check("§2.5", "ERR bad_frame naming PACK for a PACK that packs PACK; nothing stored")
def pack_nested_front(t):
    """A `PACK` … that packs `PACK` (it is never nested) is answered `ERR bad_frame` (`command`
    `PACK`)."""
    p = pack_producer(t)
    items = t.items(2, "pn")
    inner = packed(item_frames(items, b"PUB"))
    for what, frame in (("PACK PUB", packed([b"PUB", inner])), ("PACK PUBW", packed([b"PUBW", inner])),
                        ("PACK PACK PUB", packed([b"PACK", packed([b"PUB", inner])])), ("nothing", b"")):
        p.send(b"PACK", b"PACK", frame)
        expect_named_err(p, "bad_frame", "PACK", f"PACK PACK packing {what}")
    p.publish(items, b"PUB")               # ACK, not DUP: the nested PUB was not stored
    finish(t, items)


@check("§2.5", "a packed PUB over 16 MiB in all with its length prefixes is answered ERR too_large; nothing stored")
def pack_too_large(t):
    """The length prefixes count toward the limits of a message (section 9: 16 MiB in all on the
    front) … A packed message over them is answered `ERR too_large` and nothing of it is stored
    (the broker's sockets take a frame up to 64 KiB beyond the message limit, so a batch that
    would just fit unpacked is answered, not its connection dropped). (A packed frame 32 KiB over
    the limit.)"""
    limit = max(16 << 20, t.s.max_item_bytes + (64 << 10))
    if limit > 64 << 20:
        raise Skip(f"the message limit ({limit} bytes) is too large to exceed quickly")
    p = pack_producer(t)
    target = limit + (32 << 10)
    n = 17
    ids = [t.s.new_id("pt") for _ in range(n)]
    overhead = sum(12 + len(i) + len(t.s.kind) for i in ids)
    size = (target - overhead) // n
    items = [t.item(id=i, body=sized_body(i, t.s.kind, size)) for i in ids]
    items[-1].body = sized_body(ids[-1], t.s.kind, size + target - overhead - n * size)
    frame = packed(item_frames(items, b"PUB"))
    expect(len(frame) == target, f"(suite) packed frame of {len(frame)} bytes, meant {target}")
    p.send(b"PACK", b"PUB", frame)
    body = expect_err(p, "too_large", f"a packed PUB of {len(frame)} bytes (the limit: {limit})")
    expect(body.get("command") == "PUB" and "ids" not in body,
           f"ERR too_large of a packed PUB: expected command PUB (the packed command) and no ids, came {body}")
    p.ping()
    few = [t.item(id=i.id) for i in items[:2]]
    p.publish(few, b"PUB")                 # ACK, not DUP: nothing of the refused message was stored
    finish(t, few)


@check("§2.5", "an error inside a packed PUB, PUBW, PUBX or PUBXW is that command's ERR bad_frame with its ids; nothing stored")
def pack_inner_errors(t):
    """A receiver reads a `PACK` as the command it packs; an error in it is reported as that
    command's error (the `ERR` names the packed command and, for `PUB`s, its ids). A frame of
    zero fields is empty (§3.1: frames after the command a positive multiple of 3, of 4 for
    `PUBX`; §2.4: `ids` are the valid UTF-8 id frames 2, 5, 8, … or 2, 6, 10, …)."""
    p = pack_producer(t)
    a, b = t.item("pi"), t.item("pi")
    bad = t.s.new_id("pi") + b"\xff"
    cases = [(b"PUB", a.frames + [bad, a.kind, a.body] + b.frames[:2], 3),
             (b"PUBW", a.frames + [b.id], 3), (b"PUB", [], 3), (b"PUBW", [], 3),
             (b"PUBX", a.xframes + b.frames, 4), (b"PUBXW", a.frames, 4), (b"PUBX", [], 4),
             (b"PUBXW", a.xframes + [b"\xfe" + b.id, b.kind, b"", b.body, b"L" * 129], 4)]
    for command, fields, width in cases:
        p.send(b"PACK", command, packed(fields))
        expect_named_err(p, "bad_frame", command.decode(), f"PACK {command.decode()} of {len(fields)} fields",
                         ids=id_frames(fields, width))
    p.publish([a, b], b"PUB")              # ACK, not DUP: nothing of them was stored
    finish(t, [a, b])


@check("§2.5", "a packed PUB of max_batch + 1 items is ERR bad_frame naming PUB; one of max_batch items is ACKed")
def pack_max_batch(t):
    """Each field is read exactly as the frame it stands for (its type, its rules, its limits).
    §9: `PACK` … otherwise the limits of the packed command (items per `PUB`: 1 – `max_batch`,
    else `ERR bad_frame`)."""
    n = t.s.max_batch
    if n > 2000:
        raise Skip(f"max_batch {n} is too large to exceed quickly")
    room_for(t, n)
    p = pack_producer(t)
    items = t.items(n + 1, "pb")
    p.pub(items, b"PUBW")
    expect_named_err(p, "bad_frame", "PUBW", f"packed PUBW of max_batch + 1 = {n + 1} items",
                     ids=[i.id.decode() for i in items[:1000]])
    p.publish(items[:n], b"PUB")
    finish(t, items[:n])


# ---------------------------------------------------------------------------------------------
# §2.5 and §4.1 Workers: JOB and JOBX packed

@check("§2.5", "a worker whose HELLO accepts PACK gets several jobs as PACK JOB, read as JOB frames; one job alone unpacked")
def packed_job(t):
    """**Workers** that list `PACK` in `HELLO` `accepts` get `JOB` and `JOBX` packed (the broker
    sends a message of one job … unpacked). (Fields read as the `JOB` frames: 5 per job, delivery, id, kind,
    attempt, body byte for byte; a worker that does not accept `JOBX` gets `JOB` also for an item
    with a traceparent, §4.1.)"""
    p = t.producer()
    traced = t.item("pj", options={"traceparent": TRACEPARENT})
    p.publish([traced], b"PUBXW")
    items = [traced] + t.items(2, "pj")
    p.publish(items[1:], b"PUBW")
    w = pack_worker(t, credit=3, accepts=[b"PACK"])
    jobs = w.take([i.id for i in items])
    if not w.got_packed:
        raise Skip(f"the broker sent each of 3 queued jobs alone: no message to pack ({w.messages})")
    expect(all(j.command == b"JOB" and j.meta is None for j in jobs.values()),
           f"a worker that accepts PACK but not JOBX got {[j.command.decode() for j in jobs.values()]}")
    wrong = [i.id.decode() for i in items if jobs[i.id].body != i.body or jobs[i.id].kind != i.kind
             or jobs[i.id].attempt != 1]
    expect(not wrong, f"packed JOB: body, kind or attempt 1 differ for {wrong[:3]}")
    w.done(*[j.delivery for j in jobs.values()])
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for all 3, came {fins}")
    one = t.item("pj")
    p.publish([one], b"PUBW")
    w.credit(1)
    job = w.take_one(one.id, what="a single job")
    w.done(job.delivery)
    expect(w.messages[-1][:3] == (b"plain", b"JOB", 1), f"a single job: expected a plain JOB, came {w.messages[-1]}")
    p.fin(one.id, b"done", "DONE of the single job")


@check("§2.5", "a worker whose HELLO does not accept PACK gets several jobs as a plain JOB")
def plain_job_without_pack(t):
    """Workers that list `PACK` in `HELLO` `accepts` get `JOB` and `JOBX` packed (§4.1: sent only to
    workers whose `HELLO` `accepts` lists `PACK`; §13)."""
    p = t.producer()
    for accepts in (None, [b"JOBX", b"CANCEL"]):
        items = t.items(3, "nj")
        p.publish(items, b"PUBW")
        w = pack_worker(t, credit=3, accepts=accepts)
        jobs = w.take([i.id for i in items])
        w.done(*[j.delivery for j in jobs.values()])
        expect(not w.packed_messages(), f"a worker with accepts {accepts}: packed messages came {w.packed_messages()}")
        fins = p.fins([i.id for i in items])
        expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for all 3, came {fins}")
        w.close()


@check("§2.5", "a worker that accepts JOBX and PACK gets several jobs with meta as PACK JOBX, read as JOBX frames")
def packed_jobx(t):
    """**Workers** that list `PACK` in `HELLO` `accepts` get `JOB` and `JOBX` packed (§4.1: `JOBX`
    frames: delivery, id, kind, attempt, meta, body; the meta frame empty or a JSON object with the
    traceparent)."""
    p = t.producer()
    items = [t.item("pX", options={"traceparent": TRACEPARENT}) for _ in range(2)] + [t.item("pX")]
    p.publish(items, b"PUBXW")
    w = pack_worker(t, credit=3, accepts=[b"JOBX", b"PACK", b"CANCEL"])
    jobs = w.take([i.id for i in items])
    w.done(*[j.delivery for j in jobs.values()])
    if not w.packed_messages(b"JOBX"):
        raise Skip(f"the broker sent no JOBX of several jobs: nothing to pack as JOBX ({w.messages})")
    for item in items[:2]:
        job = jobs[item.id]
        expect(job.command == b"JOBX" and job.meta and load_json(job.meta).get("traceparent") == TRACEPARENT,
               f"{item.id.decode()}: expected JOBX with its traceparent, came {job.command.decode()} meta {job.meta!r}")
    last = jobs[items[2].id]
    expect(last.command == b"JOB" or not last.meta or "traceparent" not in load_json(last.meta),
           f"an item without traceparent got meta {last.meta!r}")
    wrong = [i.id.decode() for i in items if jobs[i.id].body != i.body or jobs[i.id].kind != i.kind]
    expect(not wrong, f"packed JOBX: body or kind differ for {wrong[:3]}")
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for all 3, came {fins}")


@check("§2.5", "JOB messages of 8 MiB or more of bodies and ids come unpacked, packed ones hold less")
def packed_job_size(t):
    """The broker sends a message of one job, or of 8 MiB or more of bodies and ids, unpacked, so a
    packed frame stays within the 16 MiB frame limit; the worker MUST read both forms. (About
    10 MiB of items queued for a worker that accepts `PACK`; however the broker splits them, every
    packed message holds less than 8 MiB of bodies and ids, and every message of several jobs and
    less than that is packed.)"""
    size = min(t.s.max_item_bytes, 1 << 20) - 4096
    if size < 256 << 10:
        raise Skip(f"max_item_bytes {t.s.max_item_bytes}: too many items would be needed for 10 MiB")
    n = (10 << 20) // size + 1
    if n + 10 > t.s.max_credit:
        raise Skip(f"max_credit {t.s.max_credit} is too small for {n} jobs")
    room_for(t, n)
    p = pack_producer(t)
    items = []
    for _ in range(n):
        id = t.s.new_id("big")
        items.append(t.item(id=id, body=sized_body(id, t.s.kind, size)))
    acked = []
    for start in range(0, n, 4):
        group = items[start:start + 4]
        got = p.collect([i.id for i in group], p.pub(group, b"PUBW"), timeout=4 * t.s.timeout)
        acked += [i for i in group if [o.command for o in got.get(i.id, [])] == [b"ACK"]]
        if len(acked) < start + len(group):
            finish(t, acked, credit=len(acked))
            raise Skip(f"packed PUBW of {len(group)} items of {size} bytes: not all ACKed "
                       f"({[describe(got.get(i.id)) for i in group]}); the queue has no room for 10 MiB")
    w = pack_worker(t, credit=n, accepts=[b"PACK"])
    jobs = w.take([i.id for i in items], 4 * t.s.timeout, "about 10 MiB of jobs")
    w.done(*[j.delivery for j in jobs.values()])
    changed = [i.id.decode() for i in items if jobs[i.id].body != i.body]
    expect(not changed, f"JOB bodies differ: {changed[:3]}")
    big = [m for m in w.messages if m[3] >= PACK_BODIES and m[0] == b"packed"]
    expect(not big, f"packed messages of 8 MiB or more of bodies and ids: {big}")
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"expected FIN done for all {n}, came {len(fins)}")


# ---------------------------------------------------------------------------------------------
# §2.5 Workers: DONE and EXTEND packed, malformed PACK

@check("§2.5", "after a packed JOB, a packed DONE is accepted: the items finish, FIN done, no reply")
def packed_done(t):
    """Once a packed message came from the broker since its last `HELLO`, a worker MAY send
    `DONE` and `EXTEND` packed (read as `DONE delivery …`: the items are finished; a delivery the
    broker does not track is ignored without reply)."""
    p, items, w, jobs = packed_jobs(t, "pd", 3)
    w.pack_done(*deliveries(jobs, items), UNKNOWN_DELIVERIES[0])
    expect_silence(w, "PACK DONE of 3 deliveries and an unknown one")
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"after a packed DONE: expected FIN done for all 3, came {fins}")
    b = t.worker(credit=3)
    no_job(b, [i.id for i in items], t.s.quiet, "a job redelivered after a packed DONE")


@check("§2.5", "after a packed JOB, a packed EXTEND every lease_ms/3 keeps the jobs past their lease, no reply")
def packed_extend(t):
    """Once a packed message came from the broker since its last `HELLO`, a worker MAY send
    `DONE` and `EXTEND` packed (§4.1 `EXTEND`: their leases start again from now, no reply)."""
    needs_short_lease(t, 2)
    p, items, a, jobs = packed_jobs(t, "pe", 2)
    ds = deliveries(jobs, items)
    b = t.worker(credit=2)
    ids = [i.id for i in items]
    start = min(j.at for j in jobs.values())
    while time.monotonic() < start + 2 * t.s.lease:
        a.pack_extend(*ds)
        t.wait(lambda: b.jobs_for(ids) or a.arrived(), t.s.lease / 3)
        redelivered, came = b.jobs_for(ids), a.arrived()
        if redelivered:
            raise Fail(f"redelivered {redelivered[0].at - start:.2f} s after the packed JOB although a packed "
                       f"EXTEND came every lease_ms/3")
        if came:
            raise Fail(f"a packed EXTEND was answered {show([came[0].command, *came[0].args])}")
    a.pack_done(*ds)
    fins = p.fins(ids)
    expect(all(fins.get(i) == b"done" for i in ids), f"packed DONE after {2 * t.s.lease:g} s of packed EXTEND: "
                                                     f"expected FIN done for both, came {fins}")


@check("§2.5", "ERR bad_frame naming PACK for a worker's PACK of a wrong frame count, a cut prefix, a field past the end, over 6016 fields or nested")
def pack_malformed_back(t):
    """A `PACK` whose frame count is not 4, whose packed frame has a cut length prefix or a field
    running past its end, that holds more than 6016 fields, or that packs `PACK` (it is never
    nested) is answered `ERR bad_frame` (`command` `PACK`). Nothing of a message answered with `ERR` was acted upon (the jobs are
    still held: a later packed `DONE` finishes them)."""
    p, items, w, jobs = packed_jobs(t, "wm", 2)
    ds = deliveries(jobs, items)
    raw = packed(ds)
    cases = [("KZ1 PACK", []), ("KZ1 PACK DONE", [b"DONE"]), ("5 frames", [b"DONE", raw, b""]),
             ("5 frames", [b"EXTEND", raw, raw]), ("a cut prefix", [b"DONE", raw + b"\x00"]),
             ("a cut prefix", [b"EXTEND", raw + b"\x00\x00\x00"]), ("the last field one byte short", [b"DONE", raw[:-1]]),
             ("a field of 2^32 - 1 bytes announced", [b"DONE", raw + b"\xff\xff\xff\xff1"]),
             (f"{MAX_FIELDS + 1} fields", [b"DONE", packed(ds + [UNKNOWN_DELIVERIES[0]] * (MAX_FIELDS + 1 - len(ds)))]),
             ("PACK in PACK (DONE)", [b"PACK", packed([b"DONE", raw])]),
             ("PACK in PACK (EXTEND)", [b"PACK", packed([b"EXTEND", raw])])]
    for what, frames in cases:
        w.send(b"PACK", *frames)
        expect_named_err(w, "bad_frame", "PACK", f"a worker's PACK: {what}")
    refused_then_done(t, p, w, items, ds)


@check("§9", "a worker's packed DONE or EXTEND of more fields than the back's frame limit is ERR too_large; nothing acted upon")
def pack_back_frame_limit(t):
    """§9: `PACK` — 6016 fields; otherwise the limits of the packed command, each field counting
    as a frame …: `ERR bad_frame` (over 6016 fields), else as the packed command (`ERR
    too_large`); back message: at most 2 + `max_credit` + 16 frames after the routing id. §4.1:
    `KZ1 PACK DONE packed` … held to the frame limit of `DONE` (section 9: `ERR too_large` beyond
    it). §2.5: a packed message over them is answered `ERR too_large` and nothing of it is stored."""
    extra = t.s.max_credit + 16 + 100              # deliveries: well over the frame limit, under 6016
    if extra > MAX_FIELDS:
        raise Skip(f"max_credit {t.s.max_credit}: the back's frame limit is above the 6016 fields of a PACK")
    p, items, w, jobs = packed_jobs(t, "wl", 2)
    ds = deliveries(jobs, items)
    fields = ds + [UNKNOWN_DELIVERIES[0]] * (extra - len(ds))
    w.send(b"DONE", *fields)
    unpacked_err = w.next()
    expect(unpacked_err is not None and unpacked_err.command == b"ERR" and "too_large" in unpacked_err.args[0].decode(),
           f"(reference) an unpacked DONE of {len(fields)} deliveries: expected ERR too_large, "
           f"came {show([unpacked_err.command, *unpacked_err.args]) if unpacked_err else 'nothing'}")
    named = load_json(unpacked_err.args[0])
    expect(named.get("command") == "DONE" and "ids" not in named,
           f"ERR too_large of an unpacked DONE: expected command DONE and no ids (§2.4), came {named}")
    w.send(b"PACK", b"DONE", packed(fields))
    m = w.next()
    t.sleep(t.s.quiet)
    early = p.fins_now([i.id for i in items])
    acted = f"; it was acted upon: FIN {b', '.join(sorted(set(early.values()))).decode()} for its {len(early)} held jobs" if early else ""
    expect(m is not None, f"a packed DONE of {len(fields)} fields (the back takes 2 + max_credit {t.s.max_credit} + 16 "
                          f"frames; an unpacked DONE of as many deliveries got ERR too_large): no reply within "
                          f"{t.s.timeout:g} s{acted}")
    body = load_json(m.args[0]) if m.command == b"ERR" else {}
    code = (body.get("errors") or [{}])[0].get("code")
    expect(code == "too_large", f"a packed DONE of {len(fields)} fields: expected ERR too_large, "
                                f"came {show([m.command, *m.args])}{acted}")
    expect(not early, f"a refused packed DONE was acted upon: FIN {early}")
    expect(body.get("command") == "DONE", f"ERR too_large of a packed DONE: expected command DONE (the packed command), came {body}")
    w.send(b"PACK", b"EXTEND", packed(fields))
    err = expect_err(w, "too_large", f"a packed EXTEND of {len(fields)} fields")
    expect(err.get("command") == "EXTEND", f"ERR too_large of a packed EXTEND: expected command EXTEND, came {err}")
    w.pack_done(*ds)
    fins = p.fins([i.id for i in items])
    expect(all(fins.get(i.id) == b"done" for i in items), f"packed DONE after the refused one: expected FIN done, came {fins}")


@check("§2.5", "ERR unknown_command naming the packed command for a worker's PACK of one not in the list or not taken by the back")
def pack_unknown_back(t):
    """A packed command not in the list above, or not one the receiving endpoint takes, is
    `ERR unknown_command` naming that packed command. (Nothing acted upon: no credit granted,
    the jobs still held.)"""
    p, items, w, jobs = packed_jobs(t, "wu", 2)
    ds = deliveries(jobs, items)
    item = items[0]
    job = [ds[0], item.id, item.kind, b"1", item.body]
    cases = [(b"FROB", b""), (b"JOB", packed(job)), (b"JOBX", packed(job[:4] + [b""] + job[4:])),
             (b"PUB", packed(item.frames)), (b"PUBW", packed(item.frames)), (b"ACK", packed([b"memory", item.id])),
             (b"FIN", packed([b"done", item.id])), (b"CREDIT", packed([b"5"])),
             (b"FAIL", packed([ds[0], b"0", error_body("required", id=item.id.decode(), kind=item.kind.decode())])),
             (b"PROGRESS", packed([ds[0], b"50"])), (b"HB", b""), (b"DRAIN", b""), (b"BYE", b""),
             (b"HELLO", packed([json.dumps(w.identity).encode()]))]
    for command, frame in cases:
        w.send(b"PACK", command, frame)
        expect_named_err(w, "unknown_command", named(command), f"a worker's PACK {command.decode()}")
    refused_then_done(t, p, w, items, ds, refused="PACK")
    late = t.item("wu")
    p.publish([late], b"PUBW")
    no_job(w, [late.id], t.s.quiet, "a job for credit asked only in a refused PACK CREDIT")
    w.close()
    finish(t, [late])


@check("§2.5", "ERR unknown_command for a packed command that is no upper-case name (pub, done) leaves command out, never names PACK")
def pack_unknown_lowercase(t):
    """A packed command not in the list above … is `ERR unknown_command` naming that packed
    command. So `ERR unknown_command` naming `PACK` itself comes only from a peer that does not
    know `PACK` (§2.4: `command` is the command only when it is 1 to 32 ASCII upper-case letters,
    so a packed `pub` cannot be named and `command` is left out)."""
    p = pack_producer(t)
    item = t.item("pl")
    w = pack_worker(t)
    for endpoint, command, frame in ((p, b"pub", packed(item.frames)), (p, b"Pub", packed(item.frames)),
                                     (w, b"done", packed([UNKNOWN_DELIVERIES[0]])),
                                     (w, b"extend", packed([UNKNOWN_DELIVERIES[0]]))):
        endpoint.send(b"PACK", command, frame)
        expect_named_err(endpoint, "unknown_command", named(command),
                         f"PACK {command.decode()} to the {'front' if endpoint is p else 'back'} (a peer that "
                         f"reads command PACK with unknown_command takes this broker for one without PACK)")
    p.publish([item], b"PUB")              # ACK, not DUP: the packed pub was not stored
    finish(t, [item])


@check("§2.5", "an error inside a worker's packed DONE or EXTEND is that command's ERR bad_frame; nothing acted upon")
def pack_inner_errors_back(t):
    """A receiver reads a `PACK` as the command it packs; an error in it is reported as that
    command's error (the `ERR` names the packed command). A frame of zero fields is empty (§4.1:
    deliveries, numbers, at least one)."""
    p, items, w, jobs = packed_jobs(t, "wi", 2)
    ds = deliveries(jobs, items)
    cases = [(b"DONE", []), (b"DONE", [ds[0], b"x"]), (b"DONE", [ds[0], b"01"]), (b"DONE", [ds[0], b""]),
             (b"DONE", [ds[0], b"18446744073709551616"]), (b"EXTEND", []), (b"EXTEND", [ds[0], b"-1"])]
    for command, fields in cases:
        w.send(b"PACK", command, packed(fields))
        expect_named_err(w, "bad_frame", command.decode(), f"PACK {command.decode()} {show(fields)}")
    refused_then_done(t, p, w, items, ds)


@check("§2.5", "a well-formed PACK DONE or PACK EXTEND before HELLO is answered ERR hello_required")
def pack_before_hello(t):
    """A receiver reads a `PACK` as the command it packs (§4.2: any message other than `HELLO`
    from a connection the broker does not know is answered `ERR hello_required`)."""
    s = t.back_socket()
    for command in (b"DONE", b"EXTEND"):
        s.send(b"PACK", command, packed([UNKNOWN_DELIVERIES[0], UNKNOWN_DELIVERIES[1]]))
        expect_err(s, "hello_required", f"PACK {command.decode()} before HELLO")
