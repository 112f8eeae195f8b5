#!/usr/bin/env python3
"""Which broker of an ordered list takes an item (PROTOCOL.md 8.1), in plain Python.

    from partition import broker_index
    broker_index("patient", "p-42", 3)   # -> 0, 1 or 2

The key is FNV-1a 64 over the UTF-8 bytes of kind, one zero byte and id; the broker is the jump
consistent hash (Lamping and Veach, 2014) of that key over the list's length.

Usage:
  python3 partition.py KIND ID BROKERS    print the index
  python3 partition.py vectors            print the test vectors (proto-json/partition-vectors.json)
  python3 partition.py check FILE         exit 1 unless FILE's vectors all match
"""
from __future__ import annotations

import json
import sys

MASK = (1 << 64) - 1


def fnv1a(kind: str, item_id: str) -> int:
    h = 0xCBF29CE484222325
    for b in kind.encode() + b"\x00" + item_id.encode():
        h = ((h ^ b) * 0x100000001B3) & MASK
    return h


def jump(key: int, buckets: int) -> int:
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & MASK
        j = int(float(b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def broker_index(kind: str, item_id: str, brokers: int) -> int:
    return 0 if brokers <= 1 else jump(fnv1a(kind, item_id), brokers)


def vectors() -> list[dict]:
    cases = [("patient", "p-1"), ("patient", "p-2"), ("news", "n-1"), ("lead", "l-1"), ("lead", ""),
             ("news", "新闻-723"), ("patient", "bench-r1-100p0-99999"), ("x", "y" * 200)]
    out = []
    for kind, item_id in cases:
        out.append({"kind": kind, "id": item_id, "fnv1a": f"{fnv1a(kind, item_id):016x}",
                    "broker": {str(n): broker_index(kind, item_id, n) for n in (1, 2, 3, 5, 16, 1000)}})
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["vectors"]:
        print(json.dumps(vectors(), ensure_ascii=False, indent=1))
        return 0
    if argv[:1] == ["check"] and len(argv) == 2:
        with open(argv[1], encoding="utf-8") as f:
            expected = json.load(f)
        if expected != vectors():
            print(f"partition: {argv[1]} does not match this implementation", file=sys.stderr)
            return 1
        print(f"partition: {len(expected)} vectors match")
        return 0
    if len(argv) == 3:
        print(broker_index(argv[0], argv[1], int(argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
