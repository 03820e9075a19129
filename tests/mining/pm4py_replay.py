"""Replay a steg event log on steg's PNML export with pm4py.

Usage: python3 pm4py_replay.py LOG.xes NET.pnml
Prints one JSON line last: traces by status; for completed cases the fitness and the share of
fitting traces by optimal alignments (pm4py's A*: a trace fits when the net can execute it),
and the same by token-based replay for comparison (token replay picks among transitions with
the same label by a heuristic, so it can miss a fitting execution: the net has one transition
per trigger of a wait, all labelled with the wait); how many censored traces replay as
prefixes by token replay (no token missing: every event was enabled; tokens left are the work
still going on).
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
        result["token_replay_log_fitness"] = fitness["log_fitness"]
        result["token_replay_fitting_share"] = sum(r["trace_is_fit"] for r in replay) / len(replay)
        aligned = pm4py.fitness_alignments(part, net, im, fm)
        result["completed_log_fitness"] = aligned["average_trace_fitness"]
        result["completed_fitting_share"] = aligned["percentage_of_fitting_traces"] / 100.0
        result["token_replay_unfit_examples"] = [
            (t.attributes["concept:name"], r["transitions_with_problems"].__repr__())
            for t, r in zip(log, replay) if not r["trace_is_fit"]
        ][:5]
    else:
        result[status + "_prefixes"] = sum(not r["transitions_with_problems"] for r in replay)
        result[status + "_not_prefix_examples"] = [
            t.attributes["concept:name"] for t, r in zip(log, replay) if r["transitions_with_problems"]
        ][:5]
print(json.dumps(result))
