#!/usr/bin/env python3
"""KZ1 protocol conformance suite for a running Karez broker (proto-json/PROTOCOL.md).

    python3 run.py --front tcp://HOST:7700 --back tcp://HOST:7701 [--timeout S] [--only PATTERN] [-v]

Acts as producer, worker and operator against the broker and prints one line per check
(PASS/FAIL/SKIP §section name), then `skipped: K` and `conformance: N of M passed`. Exit
status 0 only if every check that ran passed. The broker must run no workers of its own
(`karez up --workers 0` or `karez broker`): the suite's workers are the only consumers. Every
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
        p.send(b"PING")
        m = p.expect(b"PONG", f"PING {session.front}")
        session.pong = load_json(m.args[0])
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
    if session.verbose:
        print(f"    ({time.monotonic() - started:.2f} s)", file=sys.stderr)
    return status, detail


def cleanup(session: Session):
    """Purge this run's dead letters and DONE its items still queued (a failed check may
    have left some); say what is left, if anything."""
    ledger = session.ledger
    if not ledger.left():
        return "cleanup: nothing of this run is left in the broker"
    t = Test(session, "cleanup")
    try:
        p = t.producer()
        for id in sorted(ledger.dead):
            p.dlq(b"PURGE", [id])
        queued = sorted(ledger.queued)
        for start in range(0, len(queued), 1000):      # some may have died meanwhile
            p.dlq(b"PURGE", queued[start:start + 1000])
        if ledger.queued:
            t.mine.update(ledger.queued)
            w = t.worker(credit=max(1, min(len(ledger.queued) * 2, 1_000_000)))
            limit = min(60.0, max(session.lease, 3 * session.heartbeat) + 2 * session.timeout)

            def finish():
                if w.jobs:
                    w.done(*[j.delivery for j in w.jobs])
                    w.jobs.clear()
                return not ledger.queued
            t.wait(finish, limit)
    except Fail as e:
        return f"cleanup: failed: {e}"
    finally:
        t.close()
    left = ledger.left()
    if left:
        return (f"cleanup: {len(left)} items of this run may be left in the broker: "
                + ", ".join(i.decode(errors='replace') for i in left[:5]) + (" …" if len(left) > 5 else ""))
    return "cleanup: finished the items failed checks left behind"


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
        print(f"run {session.run}: PONG {session.pong}\n  WELCOME {session.welcome}", file=sys.stderr)
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
