#!/usr/bin/env python3
"""Print the side-by-side table of benches/peers/run.sh: speed (events per second) of steg and
the SimPy peer on the same case count, then outcome figures of both models, so a reader can see
that the peer models the same process. Standard library only."""

import argparse
import json
import sys


def steg_figures(args):
    report = json.load(open(args.steg_json, encoding="utf-8"))
    # Moves: transitions of steg's compiled nets fired (steps executed, joins passed, waits
    # left), counted by the simulator itself (`moves` in its JSON report).
    events = report["moves"]
    steps = {}
    for line in open(args.steg_steps, encoding="utf-8"):
        n, name = line.split()
        steps[name] = int(n)
    roles = {r["role"]: {"utilisation": r["utilisation"],
                         "mean_wait_days": r["wait_days"]["mean"]}
             for r in report["roles"] if r["wait_days"]["count"]}
    return {"cases": report["cases"], "events": events, "outcomes": report["outcomes"],
            "open": report["open"] + sum(w.get("count", 0) for w in report["waiting"]),
            "roles": roles, "steps": steps}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    for a in ("steg-json", "steg-steps", "simpy-json"):
        ap.add_argument(f"--{a}", required=True)
    ap.add_argument("--steg-seconds", type=float, required=True)
    ap.add_argument("--simpy-seconds", type=float, required=True)
    args = ap.parse_args()
    s = steg_figures(args)
    p = json.load(open(args.simpy_json, encoding="utf-8"))
    if s["cases"] != p["cases"]:
        sys.exit(f"compare.py: steg ran {s['cases']} cases, SimPy {p['cases']}")

    rate_s = s["events"] / args.steg_seconds
    rate_p = p["events"] / args.simpy_seconds
    print("Speed (wall-clock of each process: loading the configuration, simulating; steg also")
    print("writes its event log, SimPy writes none):")
    print()
    print(f"{'tool':<8}{'cases':>10}{'events':>13}{'seconds':>10}{'events/s':>12}")
    print(f"{'steg':<8}{s['cases']:>10}{s['events']:>13}{args.steg_seconds:>10.2f}{rate_s:>12,.0f}")
    print(f"{'SimPy':<8}{p['cases']:>10}{p['events']:>13}{args.simpy_seconds:>10.2f}{rate_p:>12,.0f}")
    print()
    print(f"steg/SimPy, events per second: {rate_s / rate_p:.1f}")
    print(f"(SimPy's simulation loop alone, without Python's start and the YAML: "
          f"{p['seconds']:.2f} s, {p['events_per_s']:,} events/s)")
    print()

    n_s, n_p = s["cases"], p["cases"]
    rows = []

    def per_case(label, a, b):
        rows.append((label, a / n_s, b / n_p))

    per_case("events per case", s["events"], p["events"])
    for step, label in [
        ("ekonomiskt_bistand.anvisning_ame", "referrals to AME per case"),
        ("ekonomiskt_bistand.anvisning_coachingteam", "referrals to coachingteamet per case"),
        ("ekonomiskt_bistand.ovrig_planering", "övrig planering per case"),
        ("ekonomiskt_bistand.manadsansokan", "monthly applications per case"),
        ("ekonomiskt_bistand.plan", "handlingsplaner per case"),
        ("ekonomiskt_bistand.uppfoljning", "plan revisions per case"),
        ("ekonomiskt_bistand.franvaro_mottagen", "absence reports received per case"),
        ("ame.narvarokontroll", "absences noted at AME per case"),
        ("ame.uppfoljning", "AME follow-ups per case"),
    ]:
        per_case(label, s["steps"].get(step, 0), p["steps"].get(step, 0))
    for outcome in ("egen_forsorjning", "studier", "ej_aktuellt"):
        per_case(f"share closed: {outcome}", s["outcomes"].get(outcome, 0),
                 p["outcomes"].get(outcome, 0))
    per_case("share open after the follow-up", s["open"], p["open"])
    for role in sorted(set(s["roles"]) | set(p["roles"])):
        a, b = s["roles"].get(role, {}), p["roles"].get(role, {})
        for key, label in (("utilisation", "utilisation"), ("mean_wait_days", "mean wait, days")):
            if a.get(key) is not None and b.get(key) is not None:
                rows.append((f"{role}: {label}", a[key], b[key]))

    print("Sanity: the same process in both models (same seed, different random streams):")
    print()
    print(f"{'figure':<52}{'steg':>10}{'SimPy':>10}{'diff':>9}")
    for label, a, b in rows:
        diff = f"{(b - a) / a:+.1%}" if a else ""
        print(f"{label:<52}{a:>10.3f}{b:>10.3f}{diff:>9}")
    # Every step: the largest relative difference among steps entered in at least 1 % of cases.
    worst = None
    for step in set(s["steps"]) | set(p["steps"]):
        a, b = s["steps"].get(step, 0), p["steps"].get(step, 0)
        if max(a / n_s, b / n_p) < 0.01:
            continue
        d = abs(b / n_p - a / n_s) / max(a / n_s, 1e-12)
        if worst is None or d > worst[0]:
            worst = (d, step, a / n_s, b / n_p)
    only = sorted(set(s["steps"]) ^ set(p["steps"]))
    print()
    print(f"steps entered by one model only: {', '.join(only) if only else 'none'}")
    if worst:
        print(f"largest difference per case over all steps (entered in >= 1 % of cases): "
              f"{worst[1]} {worst[2]:.3f} vs {worst[3]:.3f} ({worst[0]:.1%})")


if __name__ == "__main__":
    main()
