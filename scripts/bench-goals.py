#!/usr/bin/env python3
"""bench-goals.py [KAREZ] [--runs N] [--seconds S] [--save DIR]: issue 21's latency and
efficiency goals, each measured against its yardstick in the same run, medians of N runs with
every run listed. With --save, every run's `karez bench --json` report is kept in DIR.

  1. open loop at 500 items/s: intended->done p99 <= 1.5 x the C durable queue's p99 at the
     same rate, and p99.9 <= 5 ms;
  2. closed loop (separate processes, with the C durable baseline): >= 0.35 of its rate;
  3. open loop at 50% of the closed-loop maximum (the median of step 2): p99 <= 5 ms and
     p99.9 <= 15 ms.

Use a release build (swift build -c release). Every figure comes from `karez bench --json`,
whose own cluster runs the broker and workers as separate processes, fsync batch, noop items
of 600 bytes. Exit 0 when every goal is met, 1 otherwise.
"""
import json, os, statistics, subprocess, sys

args = sys.argv[1:]
karez = args[0] if args and not args[0].startswith("--") else ".build/release/karez"
runs = int(args[args.index("--runs") + 1]) if "--runs" in args else 5
seconds = args[args.index("--seconds") + 1] if "--seconds" in args else "10"
save = args[args.index("--save") + 1] if "--save" in args else None
saved = 0


def bench(*extra):
    out = subprocess.run([karez, "bench", "--kind", "noop", "--json", *extra], capture_output=True, text=True)
    line = [l for l in out.stdout.splitlines() if l.startswith("{")]
    if not line:
        sys.exit(f"bench-goals: karez bench {' '.join(extra)} failed:\n{out.stderr[-2000:]}")
    r = json.loads(line[-1])
    if save:
        global saved
        saved += 1
        os.makedirs(save, exist_ok=True)
        with open(os.path.join(save, f"run-{saved:02d}.json"), "w") as f:
            f.write(line[-1] + "\n")
    if r["lost"] != 0:
        sys.exit(f"bench-goals: karez bench {' '.join(extra)} lost {r['lost']} items")
    return r


def show(name, values, fmt="{:.2f}"):
    print(f"  {name}: median {fmt.format(statistics.median(values))} (runs: {' '.join(fmt.format(v) for v in values)})")
    return statistics.median(values)


verdicts = []


def costs(reports):
    """Where the CPU goes at this rate: Karez's per item beside the C durable queue's per message,
    and the machine's price of a wake-up, all from the same runs."""
    show("CPU us per item, Karez (bench + broker + workers)", [r["cpu_us_per_item"] for r in reports])
    show("CPU us per message, C durable", [r["baseline_open"]["cpu_us_per_message"] for r in reports])
    show("context switches per item, Karez (bench + broker + workers)", [r["context_switches_per_item"] for r in reports])
    show("context switches per message, C durable", [r["baseline_open"]["context_switches_per_message"] for r in reports])
    show("CPU us per wake-up (C, two threads)", [r["wakeup_yardstick"]["cpu_us_per_wakeup"] for r in reports])


def disk(reports):
    """The disk's part, same runs: each group commit's fdatasync in Karez's run (the broker's
    journal_sync_seconds) beside the C durable queue's syncs just after it (binaries that time
    them; older ones print nothing here)."""
    if not all("journal_sync" in r["latency_ms"] and (r.get("baseline_open") or {}).get("sync_ms") for r in reports):
        return
    for p in ("p50", "p99"):
        show(f"fdatasync {p} ms, Karez journal", [r["latency_ms"]["journal_sync"][p] for r in reports])
        show(f"fdatasync {p} ms, C durable", [r["baseline_open"]["sync_ms"][p] for r in reports])
    show("items per commit, Karez", [r["acknowledged"] / max(1, r["latency_ms"]["journal_sync"]["count"]) for r in reports], "{:.1f}")
    show("messages per sync, C durable", [r["baseline_open"]["latency_ms"]["count"] / max(1, r["baseline_open"]["sync_ms"]["count"]) for r in reports], "{:.1f}")


def goal(text, ok):
    verdicts.append((text, ok))
    print(f"  goal {text}: {'met' if ok else 'NOT met'}")


print(f"bench-goals: {karez}, {runs} runs per goal, {seconds} s per open-loop run")
print("1. open loop at 500 items/s")
light = [bench("--rate", "500", "--duration", seconds) for _ in range(runs)]
p99 = show("intended->done p99 ms", [r["latency_ms"]["done"]["p99"] for r in light])
show("C durable->ack p99 ms, same rate, same run", [r["baseline_open"]["latency_ms"]["p99"] for r in light])
ratio = show("ratio p99 done / C", [r["baseline_open"]["ratio_done"]["p99"] for r in light])
p999 = show("intended->done p99.9 ms", [r["latency_ms"]["done"]["p99.9"] for r in light])
show("C durable->ack p99.9 ms", [r["baseline_open"]["latency_ms"]["p99.9"] for r in light])
costs(light)
disk(light)
goal("p99 <= 1.5 x C durable p99", ratio <= 1.5)
goal("p99.9 <= 5 ms", p999 <= 5)

print("2. closed loop, 300,000 items, with the C durable baseline")
closed = [bench("--count", "300000") for _ in range(runs)]
top = show("items/s done", [r["items_per_s"] for r in closed], "{:.0f}")
show("C durable msgs/s, same run", [r["baseline"]["durable_per_s"] for r in closed], "{:.0f}")
share = show("ratio acknowledged/s / C durable", [r["baseline"]["ratio_durable"] for r in closed], "{:.3f}")
cpu = show("CPU us per item (bench + broker + workers)",
           [sum(p["cpu_s"] for p in r["processes"].values()) * 1e6 / r["done"] for r in closed])
goal(">= 0.35 of the C durable baseline", share >= 0.35)

half = round(top / 2)
print(f"3. open loop at 50% of the closed-loop maximum: {half} items/s")
heavy = [bench("--rate", str(half), "--duration", seconds) for _ in range(runs)]
hp99 = show("intended->done p99 ms", [r["latency_ms"]["done"]["p99"] for r in heavy])
hp999 = show("intended->done p99.9 ms", [r["latency_ms"]["done"]["p99.9"] for r in heavy])
show("C durable->ack p99 ms, same rate, same run", [r["baseline_open"]["latency_ms"]["p99"] for r in heavy])
show("C durable->ack p99.9 ms", [r["baseline_open"]["latency_ms"]["p99.9"] for r in heavy])
costs(heavy)
disk(heavy)
goal("p99 <= 5 ms", hp99 <= 5)
goal("p99.9 <= 15 ms", hp999 <= 15)

print("bench-goals: " + ", ".join(f"{t} {'met' if ok else 'NOT met'}" for t, ok in verdicts))
sys.exit(0 if all(ok for _, ok in verdicts) else 1)
