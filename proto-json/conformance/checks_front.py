"""Checks of the front endpoint: framing and envelopes (§2), PUB and its replies (§3.1, §3.2),
PING (§3.3) and DLQ (§3.4). Each check's docstring quotes the sentence it checks."""

from __future__ import annotations


import zmq

import time

from harness import (DURABILITIES, TAG, Fail, Item, Skip, check, describe, expect, load_json,
                     nak_code, show)
from steps import (dead_letter, expect_err, expect_naks, expect_silence, finish, publish_one,
                   purge, room_for, take_and_done)

TRANSPORT_LIMIT = 16 * 1024 * 1024 - 4096       # §9: frames above 16 MiB drop the connection


def sized_body(item_id: bytes, kind: bytes, size: int, poison=b"") -> bytes:
    """A JSON object of exactly `size` bytes (with `poison` bytes inside the padding)."""
    head = b'{"id":"' + item_id + b'","kind":"' + kind + b'","title":"t","body":"' + poison
    tail = b'"}'
    pad = size - len(head) - len(tail)
    if pad < 0:
        raise Skip(f"max_item_bytes ({size}) is too small for a test body")
    return head + b"x" * pad + tail


def big_enough_limit(t):
    if t.s.max_item_bytes + 1 > TRANSPORT_LIMIT:
        raise Skip(f"max_item_bytes {t.s.max_item_bytes} is above the 16 MiB transport limit")


def err_parts(body) -> str:
    return f"command={body.get('command')!r} ids={body.get('ids')!r}"


# ---------------------------------------------------------------------------------------------
# §2.2 Envelope

@check("§2.2", "a reply carries the REQ delimiter back")
def req_delimiter(t):
    """Every reply to a message carries that message's envelope unchanged, so a `REQ` socket
    gets its delimiter back."""
    p = t.producer(envelope=[b""])
    p.send(b"PING")
    p.expect(b"PONG", "PING after an empty delimiter frame")


@check("§2.2", "a reply carries a proxy envelope unchanged")
def proxy_envelope(t):
    """Otherwise, every frame up to and including the first empty frame belongs to the
    envelope … also behind a ROUTER/DEALER proxy (more routing ids, then the delimiter)."""
    p = t.producer(envelope=[b"hop-1", b"\x00\x8bhop-2", b""])
    p.send(b"PING")
    p.expect(b"PONG", "PING behind two routing ids and a delimiter")


@check("§2.2", "a one-item PUB and a PING from a REQ peer get exactly one reply each")
def req_one_reply(t):
    """The broker sends exactly one reply message to a one-item `PUB` and to `PING`."""
    p = t.producer(envelope=[b""])
    item = t.item("req1")
    p.pub([item])
    p.collect([item.id], settle=True)
    replies = p.arrived()
    expect(len(replies) == 1, f"one-item PUB: expected 1 reply, came {len(replies)}: "
                              + "; ".join(show([m.command, *m.args]) for m in replies))
    p.send(b"PING")
    p.expect(b"PONG", "PING")
    expect_silence(p, "a second reply to PING")
    finish(t, [item])


@check("§2.2", "a REQ socket can publish one item and ping in turn")
def req_socket(t):
    """A `REQ` script works if it sends one item per `PUB` and waits for each reply."""
    sock = t.req_socket()
    try:
        item = t.item("req")
        sock.send_multipart([TAG, b"PUB", *item.frames])
        try:
            reply = sock.recv_multipart()
        except zmq.Again:
            raise Fail(f"REQ PUB: no reply within {t.s.timeout:g} s")
        expect(reply[:2] == [TAG, b"ACK"] and reply[3:] == [item.id],
               f"REQ PUB: expected KZ1 ACK durability {item.id.decode()}, came {show(reply)}")
        t.s.ledger.accepted([item.id])
        sock.send_multipart([TAG, b"PING"])
        try:
            reply = sock.recv_multipart()
        except zmq.Again:
            raise Fail(f"REQ PING: no reply within {t.s.timeout:g} s")
        expect(reply[:2] == [TAG, b"PONG"], f"REQ PING: expected PONG, came {show(reply)}")
    finally:
        sock.close()
    finish(t, [item])


@check("§2.2", "a second connection under a routing id the broker holds gets none of the first one's replies")
def held_routing_id(t):
    """The broker MUST NOT hand a routing id that a live connection holds to a new one (it
    leaves `ZMQ_ROUTER_HANDOVER` off), so a live connection's replies never go to another."""
    rid = t.s.new_id("held")
    first = t.producer(routing_id=rid)
    first.send(b"PING")
    first.expect(b"PONG", f"PING under routing id {rid.decode()}")
    second = t.producer(routing_id=rid, monitor=True)
    if not second.handshaken():
        raise Fail(f"a second connection under routing id {rid.decode()}: no ZMTP handshake within {t.s.timeout:g} s")
    second.send(b"PING")
    expect_silence(second, f"PING on a second connection under routing id {rid.decode()}, held by a live one")
    item = t.item("held")
    first.publish([item], b"PUB")
    first.send(b"PING")
    first.expect(b"PONG", "PING from the first connection after a second one came under its routing id")
    came = second.log
    expect(not came, f"the second connection under a held routing id got the first one's replies: "
                     f"{show([came[0].command or b'', *came[0].args]) if came else ''}")
    finish(t, [item])


# ---------------------------------------------------------------------------------------------
# §2.4 Malformed messages

@check("§2.4", "ERR bad_frame for a message with no tag")
def no_tag(t):
    """`bad_frame` (no tag, …): a first frame that does not begin with `KZ` is not a tag."""
    p = t.producer(envelope=[b""])
    p.send_raw(b"XY1", b"PING")
    expect_err(p, "bad_frame", "delimiter, then XY1 ⏐ PING")


@check("§2.4", "ERR bad_frame for a DEALER message whose first frame is not a tag")
def no_tag_dealer(t):
    """A message with no tag (first frame not beginning with `KZ`) is answered `ERR bad_frame`
    (the reply may carry the unparseable frames as its envelope)."""
    p = t.producer(raw=True)
    p.send_raw(b"PING")
    m = p.next()
    expect(m is not None, f"PING without tag: expected ERR bad_frame, nothing came within {t.s.timeout:g} s")
    frames = m.args
    at = next((i for i in range(len(frames) - 2) if frames[i:i + 2] == [TAG, b"ERR"]), None)
    expect(at is not None and at + 3 == len(frames),
           f"PING without tag: expected … KZ1 ⏐ ERR ⏐ error, came {show(frames)}")
    code = load_json(frames[at + 2])["errors"][0]["code"]
    expect(code == "bad_frame", f"PING without tag: expected ERR bad_frame, came ERR {code}")


@check("§2.4", "ERR bad_frame for an empty message")
def empty_message(t):
    """`bad_frame` (… an empty message …)."""
    p = t.producer(envelope=[b""])
    p.send_raw()
    expect_err(p, "bad_frame", "a lone delimiter frame")


@check("§2.4", "ERR unsupported_version for a tag that begins with KZ but is not KZ1")
def unsupported_version(t):
    """`unsupported_version` (a tag that begins with `KZ` but is not `KZ1`; the message names
    the versions the peer speaks)."""
    p = t.producer()
    for tag in (b"KZ2", b"KZ", b"KZ10"):
        p.send_raw(tag, b"PING")
        body = expect_err(p, "unsupported_version", f"tag {tag.decode()}")
        message = body["errors"][0].get("message", "")
        expect("KZ1" in message, f"tag {tag.decode()}: the message must name KZ1, came {message!r}")


@check("§2.4", "ERR unknown_command for a command the front does not know")
def unknown_command_front(t):
    """`unknown_command`: the command is not known on this endpoint."""
    p = t.producer()
    p.send(b"FROB")
    expect_err(p, "unknown_command", "KZ1 FROB")
    p.send(b"HELLO", b'{"name":"x"}')
    expect_err(p, "unknown_command", "a back-endpoint HELLO sent to the front")


@check("§2.4", "ERR bad_frame for a PING with a frame too many")
def ping_extra_frame(t):
    """A message whose tag, command or frame count is wrong is answered with `KZ1 ERR`;
    `PING` has no further frames."""
    p = t.producer()
    p.send(b"PING", b"extra")
    expect_err(p, "bad_frame", "KZ1 PING extra")


@check("§2.4", "ERR names the refused command")
def err_names_command(t):
    """The ERR error body names the refused message: `command`, the command frame (when it is
    1 to 32 ASCII upper-case letters)."""
    p = t.producer()
    cases = [((TAG, b"FROB"), "unknown_command", "FROB"),
             ((b"KZ2", b"PING"), "unsupported_version", "PING"),
             ((TAG, b"PUB", t.s.new_id("cmd"), t.s.kind), "bad_frame", "PUB"),
             ((TAG, b"PUBW"), "bad_frame", "PUBW")]
    for frames, code, command in cases:
        p.send_raw(*frames)
        body = expect_err(p, code, show(frames))
        expect(body.get("command") == command,
               f"{show(frames)}: expected ERR with command {command!r}, came {err_parts(body)}")


@check("§2.4", "ERR of a refused PUB names its valid UTF-8 ids")
def err_names_ids(t):
    """For `PUB`/`PUBW` the ERR body lists `ids`: the id frames of the message that are valid
    UTF-8, in order, at most 1000, so a producer can tell which items were refused."""
    p = t.producer()
    a, b = t.item("ids"), t.item("ids")
    bad = t.s.new_id("ids") + b"\xff"
    p.send(b"PUB", *a.frames, bad, a.kind, a.body, *b.frames[:2])     # 8 frames: not 3 × n
    body = expect_err(p, "bad_frame", "PUB of 8 frames")
    ids = body.get("ids")
    expect(isinstance(ids, list) and ids[:1] == [a.id.decode()] and set(ids) <= {a.id.decode(), b.id.decode()},
           f"PUB of 8 frames: expected ids [{a.id.decode()}(, {b.id.decode()})] without the non-UTF-8 id, "
           f"came {err_parts(body)}")
    n = t.s.max_batch + 1
    if n > 5000:
        return
    items = t.items(n, "many")
    items[1] = Item(items[1].id + b"\xfe", items[1].kind, items[1].body)
    p.pub(items, b"PUBW")
    body = expect_err(p, "bad_frame", f"PUBW of {n} items (max_batch + 1)")
    valid = [i.id.decode() for i in items if i is not items[1]]
    # "the id frames that are valid UTF-8, at most 1000": read either way round
    wants = (valid[:1000], [i.id.decode() for i in items[:1000] if i is not items[1]])
    ids = body.get("ids") or []
    expect(ids in wants and body.get("command") == "PUBW",
           f"PUBW of {n} items, one id not UTF-8: expected command 'PUBW' and the valid ids in order "
           f"(at most 1000), came command={body.get('command')!r} and {len(ids)} ids")


@check("§2.4", "ERR is never answered with ERR on the front")
def err_not_answered_front(t):
    """A peer never answers an `ERR` with an `ERR`."""
    p = t.producer()
    p.send(b"ERR", b'{"errors":[{"path":"","code":"bad_frame","message":"conformance"}]}')
    expect_silence(p, "KZ1 ERR sent to the broker")
    p.send(b"ERR")
    expect_silence(p, "KZ1 ERR without a body sent to the broker")


@check("§2.4", "the front connection stays usable after ERR")
def usable_after_err(t):
    """Nothing of a message answered with `ERR` was acted upon, and the connection stays usable."""
    p = t.producer()
    p.send(b"FROB")
    expect_err(p, "unknown_command", "KZ1 FROB")
    p.send(b"PING")
    p.expect(b"PONG", "PING after an ERR")


@check("§7.1", "an ERR body is a valid error body without id, path \"\"")
def err_body_valid(t):
    """ERR carries an error body without `id` (§2.4); for `ERR` the path is `""` (§7.1);
    it validates against error.schema.json."""
    p = t.producer()
    probes = [(TAG, b"FROB"), (b"KZ2", b"PING"), (TAG, b"PUB", t.s.new_id("eb"), t.s.kind), (TAG, b"PUB")]
    for frames in probes:
        p.send_raw(*frames)
        m = p.expect(b"ERR", show(frames))
        body = load_json(m.args[0])
        problems = t.s.schemas.errors("error", body)
        if problems:
            raise Fail(f"{show(frames)}: ERR body breaks error.schema.json: {problems[0]}")
        expect("id" not in body, f"{show(frames)}: ERR body has an id: {body}")
        paths = [e["path"] for e in body["errors"]]
        expect(set(paths) == {""}, f"{show(frames)}: ERR paths must be \"\", came {paths}")


# ---------------------------------------------------------------------------------------------
# §3.1 PUB

@check("§3.1", "ERR bad_frame for a PUB whose frame count is not a multiple of 3, nothing stored")
def pub_frame_count(t):
    """The number of frames after the command MUST be a positive multiple of 3; otherwise the
    whole message is answered `ERR bad_frame` and none of it is stored."""
    p = t.producer()
    a, b = t.item("fc"), t.item("fc")
    p.send(b"PUB", *a.frames, b.id, b.kind)
    expect_err(p, "bad_frame", "PUB of 5 frames")
    p.publish([a, b], b"PUB")          # ACK, not DUP: nothing of the refused PUB was stored
    finish(t, [a, b])


@check("§3.1", "ERR bad_frame for an empty PUB or PUBW")
def pub_empty(t):
    """`bad_frame` (… an empty `PUB` …)."""
    p = t.producer()
    for command in (b"PUB", b"PUBW"):
        p.send(command)
        expect_err(p, "bad_frame", f"{command.decode()} without items")


@check("§3.1", "ERR bad_frame for a PUB of more than max_batch items, nothing stored")
def pub_too_many(t):
    """publish 1 to `max_batch` items in one message … more than `max_batch` items → `bad_frame`."""
    n = t.s.max_batch + 1
    if n > 10001:
        raise Skip(f"max_batch {t.s.max_batch} is too large to exceed quickly")
    p = t.producer()
    items = t.items(n, "mb")
    p.pub(items)
    expect_err(p, "bad_frame", f"PUB of {n} items (max_batch {t.s.max_batch})")
    p.publish([items[0], items[-1]], b"PUB")
    finish(t, [items[0], items[-1]])


@check("§3.1", "a PUB of exactly max_batch items is acknowledged")
def pub_max_batch(t):
    """`KZ1 PUB id kind body [id kind body …]` — publish 1 to `max_batch` items in one message."""
    n = t.s.max_batch
    if n > 10000:
        raise Skip(f"max_batch {n} is too large to publish quickly")
    room_for(t, n)
    p = t.producer()
    items = t.items(n, "fb")
    p.publish(items, b"PUB")
    finish(t, items)


@check("§3.1", "ids and kinds at the limits of their patterns are acknowledged")
def pub_limits(t):
    """id: 1 to 128 ASCII characters, `^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`; kind: one the broker accepts."""
    p = t.producer()
    base = t.s.new_id("lim") + b"._:-"
    long_id = base + b"Z" * (128 - len(base))
    items = [t.item(id=long_id)] + [t.item("kind", kind) for kind in t.s.kinds]
    p.publish(items, b"PUB")
    finish(t, items)


def bad_id_items(t):
    u = t.s.new_id("bid")
    ids = [b"", b"-" + u, b"." + u, u + b" x", u + b"/x", u + b"\n", u + b"\xff\xfe",
           b"\xc3\xa9" + u, (u + b"x" * 129)[:129]]
    return [Item(i, t.s.kind, t.item(id=u + b"-" + str(n).encode()).body) for n, i in enumerate(ids)]


@check("§3.1", "NAK bad_id for an id frame that breaks the pattern")
def nak_bad_id(t):
    """id frame matches the id pattern — else `NAK … bad_id`."""
    p = t.producer()
    items = bad_id_items(t)
    since = p.pub(items)
    for i in items:
        t.mine.add(i.id)
    expect_naks(p, items, "bad_id", "malformed id", since)


@check("§3.2", "NAK carries the id frame byte for byte, even malformed")
def nak_id_bytes(t):
    """NAK frame 2: the id frame exactly as received (it may be a malformed id); the error body
    has `id` … omitted if its frame is not UTF-8."""
    p = t.producer()
    u = t.s.new_id("raw")
    items = [Item(u + b"\xff\xfe", t.s.kind, b'{"id":"x"}'), Item(u + b" with space", t.s.kind, b'{"id":"x"}')]
    bodies = expect_naks(p, items, "bad_id", "malformed id", p.pub(items))
    expect("id" not in bodies[items[0].id],
           f"id frame {items[0].id!r} is not UTF-8: the error body must omit id, came {bodies[items[0].id]}")
    expect(bodies[items[1].id].get("id") == items[1].id.decode(),
           f"error body id must be {items[1].id.decode()!r}, came {bodies[items[1].id].get('id')!r}")


@check("§3.1", "NAK unknown_kind for a kind that breaks the pattern or is not accepted")
def nak_unknown_kind(t):
    """kind frame matches the kind pattern and is a kind this broker accepts — else `NAK … unknown_kind`."""
    p = t.producer()
    kinds = [b"kzconformance" + t.s.run[-6:].encode(), t.s.kind.capitalize(), b"", b"a" * 33,
             t.s.kind + b"\n", t.s.kind + b" ", b"\xff" + t.s.kind]
    items = [t.item("uk", kind) for kind in kinds]
    bodies = expect_naks(p, items, "unknown_kind", "unknown kind", p.pub(items))
    for item in items:
        want = item.kind.decode() if item.kind != kinds[-1] else None
        expect(bodies[item.id].get("kind") == want,
               f"kind {item.kind!r}: error body kind must be {want!r}, came {bodies[item.id].get('kind')!r}")


@check("§3.1", "NAK too_large for a body of max_item_bytes + 1 bytes")
def nak_too_large(t):
    """body is at most `max_item_bytes` bytes — else `NAK … too_large`."""
    big_enough_limit(t)
    p = t.producer()
    item = t.item("big")
    item.body = sized_body(item.id, item.kind, t.s.max_item_bytes + 1)
    expect_naks(p, [item], "too_large", f"body of {len(item.body)} bytes", p.pub([item]))


@check("§3.1", "a body of exactly max_item_bytes bytes is acknowledged and delivered byte for byte")
def body_at_limit(t):
    """body: the item, UTF-8 JSON object, at most `max_item_bytes`; passed through the broker byte for byte."""
    big_enough_limit(t)
    p = t.producer()
    item = t.item("edge")
    item.body = sized_body(item.id, item.kind, t.s.max_item_bytes)
    p.publish([item], b"PUB")
    job = take_and_done(t, t.worker(credit=1), [item])[item.id]
    expect(job.body == item.body, f"JOB body differs from the published body ({len(job.body)} vs {len(item.body)} bytes)")


@check("§3.1", "NAK invalid_utf8 for a body that is not well-formed UTF-8")
def nak_invalid_utf8(t):
    """body is well-formed UTF-8 — else `NAK … invalid_utf8`."""
    p = t.producer()
    bad = [b"\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe4\xb8"]
    items = []
    for chunk in bad:
        item = t.item("u8")
        item.body = b'{"id":"' + item.id + b'","title":"' + chunk + b'"}'
        items.append(item)
    items[-1].body = items[-1].body[:-2]      # truncated sequence at the very end
    expect_naks(p, items, "invalid_utf8", "malformed UTF-8", p.pub(items))


@check("§3.1", "NAK not_object for a body whose first non-whitespace byte is not {")
def nak_not_object(t):
    """The first byte of the body that is not JSON whitespace (space, tab, CR, LF) is `{` —
    else `NAK … not_object` (never `not_json` from the broker)."""
    p = t.producer()
    bodies = [b"[1]", b'"text"', b"42", b"null", b"", b"  \t\r\n", b" \n[ ]", b"not json",
              b'\xef\xbb\xbf{"id":"x"}', b"\x0b{}", b"\xc2\xa0{}", b"\x00{}"]
    items = []
    for body in bodies:
        item = t.item("no")
        item.body = body
        items.append(item)
    expect_naks(p, items, "not_object", "body not starting with {", p.pub(items))


@check("§3.1", "the broker never parses bodies: whitespace, {, then non-JSON is acknowledged")
def broker_does_not_parse(t):
    """The broker never parses a body as JSON … Everything else (well-formedness beyond the
    first byte …) is checked by the worker."""
    p = t.producer()
    items = []
    for body in (b' \t\r\n{"id": "unterminated', b"{not json at all", b"{}}"):
        item = t.item("np")
        item.body = body
        items.append(item)
    p.publish(items, b"PUB")
    finish(t, items)


@check("§3.1", "the first failing check decides the NAK")
def nak_order(t):
    """Per item, in this order, the first failing check decides the `NAK`: bad_id,
    unknown_kind, too_large, invalid_utf8, not_object, ambiguous_id (then the queue limit)."""
    big_enough_limit(t)
    p = t.producer()
    size = t.s.max_item_bytes + 1
    cases = []
    a = t.item("ord")                                   # bad id + unknown kind + too large + bad UTF-8
    cases.append((Item(b"-" + a.id, b"Nokind", sized_body(a.id, b"n", size, b"\xff")), "bad_id"))
    b = t.item("ord")                                   # unknown kind + too large + bad UTF-8
    cases.append((Item(b.id, b"Nokind", sized_body(b.id, b"n", size, b"\xff")), "unknown_kind"))
    c = t.item("ord")                                   # too large + bad UTF-8 + not object
    cases.append((Item(c.id, c.kind, b"[" + sized_body(c.id, c.kind, size - 1, b"\xff")), "too_large"))
    d = t.item("ord")                                   # bad UTF-8 + not object
    cases.append((Item(d.id, d.kind, b'["\xff"]'), "invalid_utf8"))
    first = []
    if len(t.s.kinds) > 1:                              # not object + ambiguous id
        first = [t.item("ord")]
        cases.append((Item(first[0].id, t.s.other_kind, b"[1]"), "not_object"))
    for item, _ in cases:
        t.mine.add(item.id)
    since = p.pub(first + [item for item, _ in cases])
    got = p.collect([item.id for item, _ in cases], since, settle=bool(first))
    for item, code in cases:
        outs = got.get(item.id, [])
        if first and item.id == first[0].id:          # the earlier item under this id: handled as usual
            expect(b"ACK" in [o.command for o in outs], f"{item.id!r}: the first item must get ACK")
            outs = [o for o in outs if o.command != b"ACK"]
        expect(len(outs) == 1 and nak_code(outs[0]) == code,
               f"{item.id!r} ({item.kind!r}): expected NAK {code} (the first failing check), came {describe(outs)}")
    finish(t, first)


@check("§3.1", "NAK ambiguous_id for one id under two kinds in one PUB")
def nak_ambiguous_id(t):
    """Within one `PUB`, the same id under two different kinds: the first is handled normally,
    the later one is refused `NAK … ambiguous_id` (outcomes are matched by id only)."""
    other = t.s.other_kind
    p = t.producer()
    first = t.item("amb")
    second = t.item(kind=other, id=first.id)
    got = p.collect([first.id], p.pub([first, second]), settle=True)
    outs = sorted(got.get(first.id, []), key=lambda o: o.command)
    expect([o.command for o in outs] == [b"ACK", b"NAK"] and nak_code(outs[1]) == "ambiguous_id",
           f"{first.id.decode()} as {first.kind.decode()} then {other.decode()}: expected ACK and "
           f"NAK ambiguous_id, came {describe(outs)}")
    expect(outs[1].detail.get("kind") == other.decode(),
           f"the NAK must be about the later kind {other.decode()}, came {outs[1].detail}")
    job = take_and_done(t, t.worker(credit=2), [first])[first.id]
    expect(job.kind == first.kind, f"the job must be the first item ({first.kind.decode()}), came {job.kind.decode()}")


@check("§3.2", "a repeated (kind, id) in one PUB is acknowledged once and answered DUP")
def dup_within_pub(t):
    """A repeated `(kind, id)` within one `PUB` is acknowledged once and answered `DUP` for the repeats."""
    p = t.producer()
    item = t.item("rep")
    got = p.collect([item.id], p.pub([item, item]), settle=True)
    outs = sorted(o.command for o in got.get(item.id, []))
    expect(outs == [b"ACK", b"DUP"], f"one item twice in a PUB: expected ACK and DUP, came {describe(got.get(item.id))}")
    w = t.worker(credit=2)
    job = w.take_one(item.id)
    w.done(job.delivery)
    t.sleep(t.s.quiet)
    expect(not w.jobs_for([item.id]), "the repeat was queued too: a second job came")


# ---------------------------------------------------------------------------------------------
# §3.2 Replies

@check("§3.2", "NAK error body has id, kind and one error with path \"\"")
def nak_body(t):
    """NAK error: error body with `id` and `kind` … and one error with path `""`; it validates
    against error.schema.json."""
    p = t.producer()
    u = t.s.new_id("nb")
    items = [Item(b"-" + u, t.s.kind, b"{}"), Item(u, b"nokindatall", b"{}"), Item(u + b"x", t.s.kind, b"[]")]
    for i in items:
        t.mine.add(i.id)
    got = p.collect([i.id for i in items], p.pub(items))
    for item in items:
        outs = got.get(item.id, [])
        expect(len(outs) == 1 and outs[0].command == b"NAK", f"{item.id!r}: expected NAK, came {describe(outs)}")
        body = outs[0].detail
        problems = t.s.schemas.errors("error", body)
        expect(not problems, f"{item.id!r}: NAK body breaks error.schema.json: {problems[:1]}")
        expect(body.get("id") == item.id.decode() and body.get("kind") == item.kind.decode(),
               f"{item.id!r}: NAK body must have id {item.id.decode()!r} and kind {item.kind.decode()!r}, came {body}")
        expect(len(body["errors"]) == 1 and body["errors"][0]["path"] == "",
               f"{item.id!r}: NAK body must have one error with path \"\", came {body['errors']}")


@check("§3.2", "one NAK message per refused item")
def one_nak_per_item(t):
    """One `NAK` message per refused item."""
    p = t.producer()
    u = t.s.new_id("nk")
    items = [Item(b"-" + u + bytes([c]), t.s.kind, b"{}") for c in b"abc"]
    for i in items:
        t.mine.add(i.id)
    since = p.pub(items)
    p.collect([i.id for i in items], since, settle=True)
    naks = [m for m in p.log[since:] if m.command == b"NAK"]
    expect(sorted(m.args[0] for m in naks) == sorted(i.id for i in items),
           f"3 refused items: expected 3 NAK messages, one per id, came {len(naks)}: "
           + "; ".join(show(m.args[:1]) for m in naks))


@check("§3.2", "each item of a PUB receives exactly one outcome")
def one_outcome_each(t):
    """Each item of a `PUB` receives exactly one of the following outcomes … A producer MUST
    match outcomes to items by id only."""
    p = t.producer()
    old = t.item("oo")
    p.publish([old], b"PUB")
    good = t.items(3, "oo")
    bad = [Item(b"-" + t.s.new_id("oo"), t.s.kind, b"{}"), Item(t.s.new_id("oo"), b"nokindatall", b"{}")]
    for i in bad:
        t.mine.add(i.id)
    items = good[:2] + bad[:1] + [old] + bad[1:] + good[2:]
    got = p.collect([i.id for i in items], p.pub(items), settle=True)
    for item in items:
        outs = got.get(item.id, [])
        expect(len(outs) == 1, f"{item.id!r}: expected exactly one outcome, came {describe(outs)}")
    expect(got[old.id][0].command == b"DUP", f"the item published before must be DUP, came {describe(got[old.id])}")
    finish(t, [old] + good)


@check("§3.2", "ACK durability is memory, written or fsynced and not less than PONG's")
def ack_durability(t):
    """durability: the level reached: `memory`, `written` or `fsynced` (never less than the
    `durability` in `PONG`)."""
    p = t.producer()
    items = t.items(3, "dur")
    got = p.publish(items, b"PUB")
    floor = DURABILITIES.index(t.s.pong["durability"].encode())
    for item in items:
        level = got[item.id][0].detail
        expect(level in DURABILITIES and DURABILITIES.index(level) >= floor,
               f"ACK durability {level.decode()} is less than PONG's {t.s.pong['durability']}")
    finish(t, items)


@check("§3.2", "DUP for an item already accepted within the dedup window, not queued again")
def dup_across_pubs(t):
    """`KZ1 DUP` — the items were already accepted within the dedup window. They count as
    acknowledged and are not queued again."""
    p = t.producer()
    item = t.item("dup")
    p.publish([item], b"PUB")
    got = p.collect([item.id], p.pub([item]))
    expect([o.command for o in got.get(item.id, [])] == [b"DUP"],
           f"second PUB of the same item: expected DUP, came {describe(got.get(item.id))}")
    w = t.worker(credit=2)
    job = w.take_one(item.id)
    w.done(job.delivery)
    t.sleep(t.s.quiet)
    expect(not w.jobs_for([item.id]), "the DUP item was queued again: a second job came")
    got = p.collect([item.id], p.pub([item]))
    expect([o.command for o in got.get(item.id, [])] == [b"DUP"],
           f"PUB after the item was done: expected DUP, came {describe(got.get(item.id))}")


def queue_limit(t):
    limit = t.s.pong.get("max_queued_items")
    if limit is None:
        raise Skip("PONG has no max_queued_items (needed to fill the queue)")
    if limit > 20000:
        raise Skip(f"max_queued_items {limit} is too large to fill quickly (at most 20000)")
    return limit


def drain_strays(t):
    """Let a worker DONE leftovers of earlier checks so that the queue is empty."""
    w = t.worker(credit=1000)
    t.sleep(t.s.quiet)
    w.close()


def fill_queue(t, p, limit):
    """PUB small items until BUSY comes. Returns (items by id, ids ACKed before, the PUB that
    got BUSY as (ACKed ids, BUSY ids), retry_after_ms)."""
    batch = min(t.s.max_batch, 1000)
    while batch > 1 and limit % batch == 0:
        batch -= 1
    by_id, acked = {}, []
    while len(acked) <= limit + batch:
        items = t.items(batch, "fill")
        by_id.update((i.id, i) for i in items)
        got = p.collect([i.id for i in items], p.pub(items))
        for item in items:
            outs = got.get(item.id, [])
            expect(len(outs) == 1 and outs[0].command in (b"ACK", b"BUSY"),
                   f"filling the queue: {item.id.decode()} expected ACK or BUSY, came {describe(outs)}")
        ok = [i.id for i in items if got[i.id][0].command == b"ACK"]
        busy = [i.id for i in items if got[i.id][0].command == b"BUSY"]
        if busy:
            return by_id, acked, (ok, busy), got[busy[0]][0].detail
        acked += ok
    raise Fail(f"no BUSY after {len(acked)} items ACKed, max_queued_items is {limit}")


@check("§3.2", "BUSY is per item: ACK for the items that fit, BUSY for the rest")
def busy_per_item(t):
    """`BUSY` is decided per item: a `PUB` of more items than the queue has room for gets `ACK`
    for those that fit and `BUSY retry_after_ms` for the rest."""
    limit = queue_limit(t)
    drain_strays(t)
    p = t.producer()
    by_id, before, (ok, busy), _ = fill_queue(t, p, limit)
    try:
        expect(len(before) + len(ok) == limit,
               f"max_queued_items {limit}: {len(before)} ACKed in full PUBs, then a PUB of {len(ok) + len(busy)} "
               f"got ACK {len(ok)} and BUSY {len(busy)}; expected ACK for exactly the {limit - len(before)} that fit")
        bad, good = Item(b"-" + t.s.new_id("full"), t.s.kind, b"{}"), t.item("full")
        t.mine.add(bad.id)
        got = p.collect([bad.id, good.id], p.pub([bad, good]))
        expect([nak_code(o) for o in got.get(bad.id, [])] == ["bad_id"]
               and [o.command for o in got.get(good.id, [])] == [b"BUSY"],
               f"full queue: expected NAK bad_id for a malformed id (refusals come before the queue limit) "
               f"and BUSY for a good item, came {describe(got.get(bad.id))} and {describe(got.get(good.id))}")
    finally:
        finish(t, [by_id[i] for i in before + ok], credit=limit + 1000)


@check("§3.2", "BUSY items were not stored: resent later they are acknowledged")
def busy_not_stored(t):
    """`KZ1 BUSY` — Nothing was stored for these ids; send them again, unchanged, no sooner
    than `retry_after_ms` milliseconds later."""
    limit = queue_limit(t)
    drain_strays(t)
    p = t.producer()
    by_id, before, (ok, busy), retry_ms = fill_queue(t, p, limit)
    finish(t, [by_id[i] for i in before + ok], credit=limit + 1000)
    again = [by_id[i] for i in busy[:min(t.s.max_batch, limit)]]
    outcomes = resend_while_busy(t, p, again, retry_ms)
    stored = [i.id.decode() for i in again if outcomes.get(i.id) == b"DUP"]
    finish(t, [i for i in again if outcomes.get(i.id) == b"ACK"])
    expect(not stored, f"{len(stored)} items answered BUSY before were answered DUP when resent "
                       f"(so they had been stored), e.g. {stored[:1]}")
    missing = [i.id.decode() for i in again if outcomes.get(i.id) != b"ACK"]
    expect(not missing, f"{len(missing)} resent items never got ACK: {describe_first(p, missing)}")


def resend_while_busy(t, p, items, retry_ms) -> dict:
    """Resend items no sooner than retry_after_ms, again while BUSY (the workers' DONEs reach the
    broker on other connections, possibly later), until each got ACK or DUP: id -> command."""
    final, pending = {}, list(items)
    deadline = time.monotonic() + 2 * t.s.timeout
    while pending and time.monotonic() < deadline:
        t.sleep(retry_ms / 1000)
        got = p.collect([i.id for i in pending], p.pub(pending))
        for item in pending:
            outs = got.get(item.id, [])
            if outs and outs[0].command != b"BUSY":
                final[item.id] = outs[0].command
            elif outs:
                retry_ms = outs[0].detail
        pending = [i for i in pending if i.id not in final]
    return final


def describe_first(p, ids):
    return f"{ids[0]}: still BUSY" if ids else ""


@check("§3.2", "FIN done for a PUBW item a worker reported DONE")
def fin_done(t):
    """`FIN` outcome `done`: a worker reported the item done."""
    p, item = publish_one(t, b"PUBW", "fd")
    w = t.worker(credit=1)
    take_and_done(t, w, [item], p)


@check("§3.2", "FIN dead for a PUBW item the worker refused (FAIL 0)")
def fin_dead(t):
    """`dead`: moved to the dead-letter list, which includes items the worker refused as
    invalid (`FAIL … 0`)."""
    p, item, _ = dead_letter(t, "fdead")
    purge(t, p, item)


@check("§3.2", "PUB producers never receive FIN")
def pub_no_fin(t):
    """`PUB` producers never receive `FIN`."""
    plain, item = publish_one(t, b"PUB", "nofin")
    waiting, marker = publish_one(t, b"PUBW", "nofin")
    w = t.worker(credit=2)
    jobs = w.take([item.id, marker.id])
    w.done(jobs[item.id].delivery, jobs[marker.id].delivery)
    waiting.fin(marker.id, b"done", "PUBW item done in the same DONE")
    t.sleep(t.s.quiet)
    fins = [m for m in plain.log if m.command == b"FIN"]
    if fins:
        raise Fail(f"the PUB producer got {show([b'FIN', *fins[0].args])}")


@check("§3.2", "a PUBW answered DUP while the item is queued gets its FIN")
def fin_after_dup_in_flight(t):
    """A `PUBW` of an item that is answered `DUP` also registers that producer: it gets the
    item's `FIN` when the item finishes."""
    first, item = publish_one(t, b"PUB", "fdup")
    second = t.producer()
    got = second.collect([item.id], second.pub([item], b"PUBW"))
    expect([o.command for o in got.get(item.id, [])] == [b"DUP"],
           f"PUBW of a queued item: expected DUP, came {describe(got.get(item.id))}")
    w = t.worker(credit=1)
    job = w.take_one(item.id)
    w.done(job.delivery)
    second.fin(item.id, b"done", "PUBW answered DUP, then the item was DONE")


@check("§3.2", "a PUBW answered DUP for an item already finished gets FIN at once")
def fin_after_dup_finished(t):
    """… or at once if the item already finished within the dedup window."""
    first, item = publish_one(t, b"PUBW", "ffin")
    w = t.worker(credit=1)
    take_and_done(t, w, [item], first)
    second = t.producer()
    got = second.collect([item.id], second.pub([item], b"PUBW"))
    expect([o.command for o in got.get(item.id, [])] == [b"DUP"],
           f"PUBW of a finished item: expected DUP, came {describe(got.get(item.id))}")
    second.fin(item.id, b"done", "PUBW of an item already done")


# ---------------------------------------------------------------------------------------------
# §3.3 PING

@check("§3.3", "PONG validates against pong.schema.json")
def pong_valid(t):
    """`KZ1 PING` → `KZ1 PONG pong-json` (pong.schema.json): which kinds the broker accepts, its
    size and batch limits and the durability it acknowledges at."""
    pong = t.producer().ping()
    problems = t.s.schemas.errors("pong", pong)
    expect(not problems, f"PONG breaks pong.schema.json: {'; '.join(problems[:3])}")


@check("§3.3", "every kind PONG lists is accepted")
def pong_kinds_accepted(t):
    """The answer says which kinds the broker accepts; an item of any other kind is refused
    with NAK unknown_kind."""
    p = t.producer()
    items = [t.item("pk", kind) for kind in t.s.kinds]
    p.publish(items, b"PUB")
    finish(t, items)


@check("§3.3", "PONG max_queued_items, when present, is an integer ≥ 1")
def pong_max_queued(t):
    """PONG gains optional `max_queued_items` (integer): most items the broker holds accepted
    and not yet finished."""
    value = t.producer().ping().get("max_queued_items", None)
    if value is None:
        raise Skip("PONG has no max_queued_items (optional)")
    expect(type(value) is int and value >= 1, f"max_queued_items must be an integer ≥ 1, came {value!r}")


# ---------------------------------------------------------------------------------------------
# §3.4 DLQ

@check("§3.4", "DLQ PURGE with ids answers DLQOK with the number purged")
def dlq_purge(t):
    """`KZ1 DLQ PURGE id…` → `KZ1 DLQOK n`: how many dead letters it purged."""
    p, a, _ = dead_letter(t, "pg")
    _, b, _ = dead_letter(t, "pg")
    n = p.dlq(b"PURGE", [a.id, b.id, t.s.new_id("never")])
    expect(n == 2, f"PURGE of 2 dead letters and an unknown id: expected DLQOK 2, came DLQOK {n}")
    t.s.ledger.purged(a.id)
    t.s.ledger.purged(b.id)
    n = p.dlq(b"PURGE", [a.id])
    expect(n == 0, f"PURGE of an id already purged: expected DLQOK 0, came DLQOK {n}")


@check("§3.4", "DLQ REQUEUE brings a dead letter back as a new item with attempt 1")
def dlq_requeue(t):
    """A requeued letter is journalled as a new item (new sequence number, attempts from 1;
    the dedup window does not apply) before it is removed from the list."""
    p, item, old = dead_letter(t, "rq")
    n = p.dlq(b"REQUEUE", [item.id])
    expect(n == 1, f"REQUEUE of a dead letter: expected DLQOK 1, came DLQOK {n}")
    w = t.worker(credit=1)
    job = w.take_one(item.id, what="the requeued item")
    w.done(job.delivery)
    expect(job.attempt == 1, f"requeued item: expected attempt 1, came {job.attempt}")
    expect(job.body == item.body and job.kind == item.kind, "requeued item: body or kind differ from the published one")
    expect(job.delivery != old.delivery, "requeued item reuses the old delivery tag")
    n = p.dlq(b"REQUEUE", [item.id])
    expect(n == 0, f"REQUEUE of an id no longer dead: expected DLQOK 0, came DLQOK {n}")


@check("§3.4", "DLQ REQUEUE or PURGE of an id that is not a dead letter answers DLQOK 0")
def dlq_unknown(t):
    """The broker answers `KZ1 DLQOK n` (how many dead letters it requeued or purged)."""
    p = t.producer()
    for action in (b"REQUEUE", b"PURGE"):
        n = p.dlq(action, [t.s.new_id("nodlq")])
        expect(n == 0, f"{action.decode()} of an unknown id: expected DLQOK 0, came DLQOK {n}")


@check("§3.4", "ERR bad_frame for DLQ REQUEUE without ids")
def dlq_requeue_no_ids(t):
    """action `REQUEUE` (at least one id follows); a wrong frame count is answered `ERR`."""
    p = t.producer()
    p.send(b"DLQ", b"REQUEUE")
    expect_err(p, "bad_frame", "DLQ REQUEUE without ids")


@check("§8", "an id still queued is answered DUP also after the dedup window")
def duplicate_while_queued(t):
    """An id whose item is still queued or out with a worker MUST be answered `DUP` however long
    ago it was accepted: the window only forgets finished items."""
    window = t.s.args.dedup_window_s
    if not window:
        raise Skip("needs --dedup-window-s, the broker's --dedup-window (scripts/conformance.sh gives 2)")
    if window > 10:
        raise Skip(f"the dedup window ({window:g} s) is too long to wait out")
    p = t.producer()
    item = t.item("dq")
    p.publish([item], b"PUB")
    # The precondition is time: the window must pass while the item waits (no worker takes it).
    time.sleep(window + 1.5)
    got = p.publish([item], b"PUB", allow_dup=True)
    expect(got[item.id][0].command == b"DUP",
           f"an item still queued {window + 1.5:g} s after it was accepted (window {window:g} s) must be DUP, "
           f"came {describe(got[item.id])}")
    finish(t, [item])
