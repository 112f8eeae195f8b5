#!/usr/bin/env python3
"""KZ1 protocol conformance suite for a running Karez broker (proto-json/PROTOCOL.md).

    python3 run.py --front tcp://HOST:7700 --back tcp://HOST:7701 [--timeout S] [--only PATTERN] [-v]

Acts as producer, worker and operator against the broker and prints one line per check
(PASS/FAIL/SKIP §section name), then `skipped: K` and `conformance: N of M passed`. Exit
status 0 only if every check that ran passed. The broker must run no workers of its own
(`karez up --worker-count 0` or `karez broker`): the suite's workers are the only consumers. Every
item the suite publishes it also finishes (DONE, or dead-lettered and purged by id).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import traceback
from pathlib import Path

sys.dont_write_bytecode = True
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import CHECKS, Fail, Session, Skip, Test, load_json  # noqa: E402
import checks_front  # noqa: E402,F401  registers the front checks
import checks_back  # noqa: E402,F401   registers the back checks
import checks_security  # noqa: E402,F401   registers the limit and CURVE checks
import checks_control  # noqa: E402,F401   registers the PUBX, CTL, PROGRESS, JOBX and CANCEL checks
import checks_pack  # noqa: E402,F401   registers the PACK checks (packed messages)


def options(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--front", default="tcp://127.0.0.1:7700", help="broker front endpoint")
    ap.add_argument("--back", default="tcp://127.0.0.1:7701", help="broker back endpoint")
    ap.add_argument("--timeout", type=float, default=3.0,
                    help="seconds to wait for a reply that must come (default 3)")
    ap.add_argument("--quiet", type=float, default=0.5,
                    help="seconds of silence that count as 'no reply' (default 0.5)")
    ap.add_argument("--only", metavar="PATTERN",
                    help="run only checks whose '§x.y name' matches this regular expression")
    ap.add_argument("--list", action="store_true", help="list the checks and exit")
    ap.add_argument("--drain", action="store_true",
                    help="also DONE jobs of items this run did not publish (empties a dirty queue)")
    ap.add_argument("--schemas", default=str(HERE.parent / "schemas"), help="folder of the JSON schemas")
    ap.add_argument("--curve-key", metavar="FILE",
                    help="connect over CURVE with this secret key (NAME.key; it must be allowed as producer, "
                         "worker and operator)")
    ap.add_argument("--server-key", metavar="FILE", help="the broker's public key (its NAME.pub), with --curve-key")
    ap.add_argument("--producer-key", metavar="FILE",
                    help="with CURVE: a secret key allowed to publish but not an operator (checks ERR forbidden)")
    ap.add_argument("--dedup-window-s", type=float, metavar="S",
                    help="the broker's dedup window in seconds, when it is short (at most 10): checks that an item "
                         "still queued stays a duplicate after it (section 8)")
    ap.add_argument("--priority-aging-ms", type=int, metavar="MS",
                    help="the broker's --priority-aging-ms, when it is short (at most 3000): checks that a "
                         "waiting item's priority rises with its age (section 3.6)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every message sent and received")
    return ap.parse_args(argv)


def selected(pattern):
    if not pattern:
        return list(CHECKS)
    try:
        rx = re.compile(pattern, re.IGNORECASE)
        return [c for c in CHECKS if rx.search(c.title)]
    except re.error:
        return [c for c in CHECKS if pattern.lower() in c.title.lower()]


def preflight(session: Session):
    """PING and HELLO once: the limits and timings every check reads (never assumed)."""
    t = Test(session)
    try:
        p = t.producer()
        rtts = []
        for _ in range(3):
            p.send(b"PING")
            m = p.expect(b"PONG", f"PING {session.front}")
            rtts.append(m.at - p.last_sent)
        session.pong, session.rtt = load_json(m.args[0]), min(rtts)
        for member in ("kinds", "max_batch", "max_item_bytes"):
            if member not in session.pong:
                raise Fail(f"PONG has no {member}: {session.pong}")
        if not session.pong["kinds"]:
            raise Fail("PONG lists no kinds: nothing can be published")
        w = t.worker()
        for member in ("heartbeat_ms", "lease_ms"):
            if not isinstance(w.welcome.get(member), int):
                raise Fail(f"WELCOME has no integer {member}: {w.welcome}")
        session.welcome = w.welcome
    finally:
        t.close()


def run_check(session, check):
    """Run one check; return (status, detail)."""
    t = Test(session, check.title)
    started = time.monotonic()
    try:
        check.func(t)
        t.pump(0)
        if t.violations:
            raise Fail("the broker broke the framing rules: " + "; ".join(t.violations[:3]))
        status, detail = "PASS", ""
    except Skip as e:
        status, detail = "SKIP", str(e)
    except Fail as e:
        status, detail = "FAIL", str(e)
    except Exception as e:                       # a bug in the check or an unreadable reply
        status, detail = "FAIL", f"{type(e).__name__}: {e}"
        if session.verbose:
            traceback.print_exc()
    finally:
        t.close()
    if t.foreign:
        print(f"  note: {t.foreign} jobs of items this run did not publish came to its workers "
              f"(use --drain on a broker with no other users)", file=sys.stderr)
    left = finish_leftovers(session, t.mine)          # so that one failure cannot cascade
    if session.verbose:
        print(f"    ({time.monotonic() - started:.2f} s{', left ' + str(len(left)) if left else ''})",
              file=sys.stderr)
    return status, detail


def finish_leftovers(session: Session, ids: set) -> list:
    """Purge these ids from the dead-letter list and DONE those still queued (a failed check
    may leave some behind); returns the ids that may still be left."""
    ledger = session.ledger
    dead, queued = sorted(ledger.dead & ids), sorted(ledger.queued & ids)
    if not dead and not queued:
        return []
    t = Test(session, "cleanup")
    try:
        p = t.producer()
        for id in dead:
            p.dlq(b"PURGE", [id])
        by_kind = {}                                     # delayed items would not come in time: cancel them
        for id in queued:
            if id in session.scheduled:
                by_kind.setdefault(session.scheduled[id], []).append(id.decode())
        for kind, ids_ in by_kind.items():
            for start in range(0, len(ids_), 1000):
                p.ctl({"action": "cancel", "kind": kind.decode(), "ids": ids_[start:start + 1000]})
        for start in range(0, len(queued), 1000):        # some may have died meanwhile
            p.dlq(b"PURGE", queued[start:start + 1000])
        if ledger.queued & ids:
            t.mine.update(ledger.queued & ids)
            w = t.worker(credit=min(len(queued) + 10, 1_000_000))
            limit = min(30.0, max(session.lease, 3 * session.heartbeat) + session.timeout)

            def finished():
                if w.jobs:
                    w.done(*[j.delivery for j in w.jobs])
                    w.jobs.clear()
                return not (ledger.queued & ids)
            t.wait(finished, limit)
    except Fail:
        pass
    finally:
        t.close()
    return sorted((ledger.queued | ledger.dead) & ids)


def cleanup(session: Session) -> str:
    left = finish_leftovers(session, set(session.ledger.left()))
    if not left:
        return "cleanup: nothing of this run is left in the broker"
    return (f"cleanup: {len(left)} items of this run may be left in the broker: "
            + ", ".join(i.decode(errors="replace") for i in left[:5]) + (" …" if len(left) > 5 else ""))


def main(argv=None):
    args = options(argv)
    checks = selected(args.only)
    if args.list:
        for c in checks:
            print(c.title)
        return 0
    session = Session(args)
    try:
        preflight(session)
    except (Fail, Skip) as e:
        print(f"FAIL §3.3 preflight: PING and HELLO must be answered: {e}")
        print("skipped: 0")
        print("conformance: 0 of 1 passed")
        return 1
    if session.verbose:
        print(f"run {session.run}: PONG {session.pong}\n  WELCOME {session.welcome}\n"
              f"  round trip {session.rtt * 1000:.1f} ms", file=sys.stderr)
    passed = ran = skipped = 0
    started = time.monotonic()
    for check in checks:
        status, detail = run_check(session, check)
        print(f"{status} {check.title}" + (f": {detail}" if detail else ""), flush=True)
        skipped += status == "SKIP"
        ran += status != "SKIP"
        passed += status == "PASS"
    print(cleanup(session))
    session.ctx.destroy(linger=200)
    print(f"skipped: {skipped} (run {session.run}, {time.monotonic() - started:.1f} s)")
    print(f"conformance: {passed} of {ran} passed")
    return 0 if passed == ran else 1


if __name__ == "__main__":
    sys.exit(main())
