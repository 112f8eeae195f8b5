#!/usr/bin/env python3
"""Measures what a broker costs per item with one broker and with a partitioned set, in one run,
and prints the intake model of README's "Several brokers" (items/s against broker count).

    scripts/broker-scaling.py [KAREZ] [--runs 5] [--count 300000] [--kind noop] [--brokers 1,2]

Runs `KAREZ bench --kind K --count N --brokers B --json` for each B, alternating, RUNS times each
(a closed loop on this machine: producer, brokers and workers share its cores). Per run it lists
items/s and the CPU seconds per item of the brokers (all of them together), the workers and the
producer; then the medians, the brokers' CPU per item relative to one broker, and the model:
one broker core takes 1e6 / (broker µs per item) items/s, so B brokers on B hosts of C cores take
B x C x that, as long as the workers keep up (their µs per item says how many worker cores that needs).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
p = argparse.ArgumentParser()
p.add_argument("karez", nargs="?", default=os.path.join(here, "..", ".build", "release", "karez"))
p.add_argument("--runs", type=int, default=5)
p.add_argument("--count", type=int, default=300_000)
p.add_argument("--kind", default="noop")
p.add_argument("--brokers", default="1,2")
a = p.parse_args()
counts = [int(b) for b in a.brokers.split(",")]
runs = {b: [] for b in counts}
for i in range(a.runs):
    for b in counts:
        out = subprocess.run([a.karez, "bench", "--kind", a.kind, "--count", str(a.count), "--brokers", str(b), "--json"],
                             capture_output=True, text=True, timeout=1800)
        line = next((l for l in reversed(out.stdout.splitlines()) if l.startswith("{")), None)
        if out.returncode != 0 or line is None:
            sys.exit(f"broker-scaling: run {i + 1} with {b} broker(s) failed ({out.returncode}): {out.stderr[-500:]}")
        r = json.loads(line)
        n = r["done"] or a.count
        pr = r["processes"]
        m = {"items_per_s": r["items_per_s"], "lost": r["lost"],
             "broker_us": pr["broker"]["cpu_s"] / n * 1e6, "worker_us": pr["worker"]["cpu_s"] / n * 1e6,
             "producer_us": pr["bench"]["cpu_s"] / n * 1e6}
        runs[b].append(m)
        print(f"run {i + 1} brokers {b}: {m['items_per_s']:,.0f} items/s, broker {m['broker_us']:.2f} µs/item, "
              f"worker {m['worker_us']:.2f}, producer {m['producer_us']:.2f}, lost {m['lost']}", flush=True)

med = {b: {k: statistics.median(x[k] for x in runs[b]) for k in runs[b][0]} for b in counts}
base = med[counts[0]]["broker_us"]
print(f"\nmedians of {a.runs} ({a.kind}, {a.count} items, closed loop, {os.cpu_count()} cores shared by every process):")
for b in counts:
    m = med[b]
    print(f"  brokers {b}: {m['items_per_s']:,.0f} items/s; CPU per item: brokers {m['broker_us']:.2f} µs "
          f"({m['broker_us'] / base:.3f}x one broker), workers {m['worker_us']:.2f} µs, producer {m['producer_us']:.2f} µs")
per_core = 1e6 / base
worker_cores = med[counts[0]]["worker_us"] / 1e6
print(f"\nmodel: one broker core takes {per_core:,.0f} items/s ({base:.2f} µs of broker CPU per item)")
for n in (1, 2, 4, 8):
    for cores in (2, 4):
        rate = n * cores * per_core
        print(f"  {n} broker host(s) x {cores} cores: intake up to {rate:,.0f} items/s; "
              f"needs {rate * worker_cores:.1f} worker cores at {med[counts[0]]['worker_us']:.2f} µs/item ({a.kind})")
if any(x["lost"] for b in counts for x in runs[b]):
    sys.exit("broker-scaling: a run lost items")
