"""Replay a steg event log on steg's PNML export with pm4py.

Usage: python3 pm4py_replay.py LOG.xes NET.pnml
Prints one JSON line last: traces by status; for completed cases the fitness and the share of
fitting traces by optimal alignments (pm4py's A*: a trace fits when the net can execute it),
and the same by token-based replay for comparison (token replay picks among transitions with
the same label by a heuristic, so it can miss a fitting execution: the net has one transition
per trigger of a wait, all labelled with the wait); how many censored traces replay as
prefixes by token replay (no token missing: every event was enabled; tokens left are the work
still going on). Censored traces are replayed by search (`is_prefix`): a trace is a prefix
when some firing sequence of the net, silent transitions in between, executes its events in
order; pm4py's token replay decides that by a heuristic whose choice among equally labelled
transitions varies from run to run, so it is shown only as a comparison.
"""
import json
import sys

import pm4py
from pm4py.algo.conformance.tokenreplay import algorithm as token_replay


def is_prefix(net, im, labels, limit=200_000):
    """Whether some firing sequence from `im` executes `labels` in order (silent transitions
    anywhere): a breadth-first search over the markings reachable at each position."""
    trans = [
        (t.label, [(a.source, a.weight) for a in t.in_arcs], [(a.target, a.weight) for a in t.out_arcs])
        for t in net.transitions
    ]

    def key(m):
        return frozenset((p, n) for p, n in m.items() if n > 0)

    def fire(m, ins, outs):
        if any(m.get(p, 0) < w for p, w in ins):
            return None
        n = dict(m)
        for p, w in ins:
            n[p] -= w
        for p, w in outs:
            n[p] = n.get(p, 0) + w
        return n

    def closure(front):
        seen = {key(m): m for m in front}
        todo = list(front)
        while todo:
            m = todo.pop()
            for label, ins, outs in trans:
                if label is None:
                    n = fire(m, ins, outs)
                    if n is not None and key(n) not in seen:
                        seen[key(n)] = n
                        todo.append(n)
                        if len(seen) > limit:
                            return None
        return list(seen.values())

    front = [dict(im)]
    for a in labels:
        front = closure(front)
        if front is None:
            return None
        step = {}
        for m in front:
            for label, ins, outs in trans:
                if label == a:
                    n = fire(m, ins, outs)
                    if n is not None:
                        step[key(n)] = n
        front = list(step.values())
        if not front:
            return False
    return True


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
        found = [is_prefix(net, im, [e["concept:name"] for e in t]) for t in log]
        result[status + "_prefixes"] = sum(f is True for f in found)
        result[status + "_not_prefix_examples"] = [
            t.attributes["concept:name"] for t, f in zip(log, found) if f is not True
        ][:5]
        result[status + "_token_replay_prefixes"] = sum(
            not r["transitions_with_problems"] for r in replay
        )
print(json.dumps(result))
