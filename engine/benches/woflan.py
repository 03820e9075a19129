#!/usr/bin/env python3
"""pm4py's Woflan on every PNML file of a folder, for the side-by-side run of the
`net_soundness` benchmark (engine/benches/net_soundness.rs), which starts it.

    python3 engine/benches/woflan.py DIR [--timeout SECONDS] [--jobs N]

Reads each DIR/*.pnml with pm4py.read_pnml (initial and final marking from the file) and runs
pm4py's Woflan (pm4py.algo.analysis.woflan) on it in a process of its own, at most --jobs at a
time (default 2), each stopped after --timeout seconds (default 60). Prints one line per file:

    RESULT {"file": "n0001.pnml", "sound": true, "seconds": 0.012, "error": null}

`sound` is null when Woflan gave no answer (timeout, or an error it raised). pm4py is
`pip install pm4py`; this script is never run by `cargo test`.
"""

import argparse
import contextlib
import io
import json
import multiprocessing as mp
import os
import sys
import time


def woflan(path, queue):
    # pm4py prints a banner on import: keep stdout for results.
    with contextlib.redirect_stdout(io.StringIO()):
        import pm4py
        from pm4py.algo.analysis.woflan import algorithm as woflan_algorithm

        start = time.perf_counter()
        try:
            net, im, fm = pm4py.read_pnml(path)
            sound = woflan_algorithm.apply(
                net,
                im,
                fm,
                parameters={
                    woflan_algorithm.Parameters.RETURN_ASAP_WHEN_NOT_SOUND: True,
                    woflan_algorithm.Parameters.PRINT_DIAGNOSTICS: False,
                    woflan_algorithm.Parameters.RETURN_DIAGNOSTICS: False,
                },
            )
            queue.put((bool(sound), time.perf_counter() - start, None))
        except Exception as e:  # Woflan raises on nets it cannot read as workflow nets
            queue.put((None, time.perf_counter() - start, f"{type(e).__name__}: {e}"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir")
    ap.add_argument("--timeout", type=float, default=60.0)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args()
    files = sorted(f for f in os.listdir(args.dir) if f.endswith(".pnml"))
    ctx = mp.get_context("fork")
    pending = list(files)
    running = []  # (file, process, queue, started)
    wall = time.perf_counter()
    while pending or running:
        while pending and len(running) < args.jobs:
            f = pending.pop(0)
            q = ctx.Queue()
            p = ctx.Process(target=woflan, args=(os.path.join(args.dir, f), q))
            p.start()
            running.append((f, p, q, time.perf_counter()))
        still = []
        for f, p, q, started in running:
            result = None
            if not q.empty():
                result = q.get()
            elif not p.is_alive():
                result = (None, time.perf_counter() - started, "the Woflan process ended without an answer")
            elif time.perf_counter() - started > args.timeout:
                p.kill()
                result = (None, args.timeout, "timeout")
            if result is None:
                still.append((f, p, q, started))
                continue
            p.join(timeout=1)
            sound, seconds, error = result
            print("RESULT " + json.dumps({"file": f, "sound": sound, "seconds": round(seconds, 4), "error": error}), flush=True)
        running = still
        time.sleep(0.002)
    print("WALL " + json.dumps({"seconds": round(time.perf_counter() - wall, 3), "files": len(files)}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
