"""Replay a steg event log on steg's PNML export with pm4py's token-based replay.

Usage: python3 pm4py_replay.py LOG.xes NET.pnml
Prints one JSON line last: traces by status, the log fitness and the share of fitting
traces among completed cases, and how many censored traces replay as prefixes (no token
missing: every event was enabled; tokens left are the work still going on).
"""
import json
import sys

import pm4py
from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

log_path, net_path = sys.argv[1], sys.argv[2]
df = pm4py.read_xes(log_path)
df = df[df["lifecycle:transition"] == "complete"]
net, im, fm = pm4py.read_pnml(net_path)

result = {}
for status in ("completed", "censored", "stuck"):
    part = df[df["case:status"] == status]
    traces = part["case:concept:name"].nunique()
    result[status] = traces
    if traces == 0:
        continue
    log = pm4py.convert_to_event_log(part)
    replay = token_replay.apply(log, net, im, fm)
    if status == "completed":
        fitness = pm4py.fitness_token_based_replay(part, net, im, fm)
        result["completed_log_fitness"] = fitness["log_fitness"]
        result["completed_fitting_share"] = sum(r["trace_is_fit"] for r in replay) / len(replay)
        result["completed_unfit_examples"] = [
            (t.attributes["concept:name"], r["transitions_with_problems"].__repr__())
            for t, r in zip(log, replay) if not r["trace_is_fit"]
        ][:5]
    else:
        result[status + "_prefixes"] = sum(not r["transitions_with_problems"] for r in replay)
        result[status + "_not_prefix_examples"] = [
            t.attributes["concept:name"] for t, r in zip(log, replay) if r["transitions_with_problems"]
        ][:5]
print(json.dumps(result))
