"""Reads a Prometheus text exposition (the file named by the first argument) with the reference parser (Debian's
python3-prometheus-client) and prints one line per sample: type, name, labels as JSON, value.
A scrape the parser refuses makes this exit non-zero with its message."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

for family in text_string_to_metric_families(open(sys.argv[1], encoding="utf-8").read()):
    for sample in family.samples:
        print(family.type, sample.name, json.dumps(sample.labels, sort_keys=True), sample.value)
