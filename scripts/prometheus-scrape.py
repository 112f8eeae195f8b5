#!/usr/bin/env python3
"""Scrapes a Prometheus text endpoint and prints every sample as one JSON line, parsed by the
official prometheus_client parser (not ours): {"family", "type", "name", "labels", "value"}.
Exits 1 with the parser's error when the exposition does not parse."""
import json
import sys
import urllib.request

from prometheus_client.parser import text_string_to_metric_families

url = sys.argv[1]
text = urllib.request.urlopen(url, timeout=10).read().decode("utf-8")
try:
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            print(json.dumps({"family": family.name, "type": family.type, "name": s.name,
                              "labels": s.labels, "value": s.value}, ensure_ascii=False))
except Exception as e:  # the parser's own message says which line is wrong
    print(f"prometheus_client could not parse {url}: {e}", file=sys.stderr)
    sys.exit(1)
