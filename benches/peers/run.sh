#!/usr/bin/env bash
# Speed of `steg simulate` side by side with a hand-written SimPy model of the same Lindesberg
# process (lindesberg_simpy.py), on the same number of cases, in one run.
#
#   benches/peers/run.sh [CASES] [SEED]      (default 100000 cases, seed 1; 24 months each)
#
# Builds steg (cargo build --release) unless STEG names a steg binary; installs the peer's
# pinned requirements into a venv under the cargo target folder (PEER_VENV to put it
# elsewhere); prints events per second of both and their ratio, then the outcome figures of
# both models. See benches/peers/README.md.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
cases=${1:-100000}
seed=${2:-1}
months=24
if ! [[ $cases =~ ^[1-9][0-9]*$ && $seed =~ ^[0-9]+$ ]]; then
    echo "usage: $0 [CASES] [SEED]   (whole numbers; CASES at least 1)" >&2
    exit 2
fi

target=${CARGO_TARGET_DIR:-$root/target}
venv=${PEER_VENV:-$target/peer-venv}
if ! cmp -s "$here/requirements.txt" "$venv/requirements.txt" 2>/dev/null; then
    echo "installing the peer's requirements into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    cp "$here/requirements.txt" "$venv/requirements.txt"
fi

if [[ -z ${STEG:-} ]]; then
    echo "building steg (release)" >&2
    (cd "$root" && cargo build --release --locked --bin steg)
    STEG=$target/release/steg
fi
[[ -x $STEG ]] || { echo "$0: no steg binary at $STEG" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
now() { date +%s.%N; }

echo "steg: $cases cases" >&2
t0=$(now)
if ! "$STEG" simulate "$root/workflows/lindesberg" --cases "$cases" --seed "$seed" \
    --months "$months" --format json >"$work/steg.json" 2>"$work/steg.err"; then
    cat "$work/steg.err" >&2
    exit 1
fi
t1=$(now)
# The same run again, untimed, with its event log: the steps each model executed, side by side.
"$STEG" simulate "$root/workflows/lindesberg" --cases "$cases" --seed "$seed" \
    --months "$months" --format json --log "$work/steg.csv" >/dev/null 2>>"$work/steg.err"

echo "SimPy: $cases cases" >&2
t2=$(now)
"$venv/bin/python" "$here/lindesberg_simpy.py" --cases "$cases" --seed "$seed" \
    --months "$months" --config "$root/workflows/lindesberg" >"$work/simpy.json"
t3=$(now)

# Steps executed, per step, from steg's event log (case_id,activity,timestamp,lifecycle,...):
# one `complete` row per executed step.
tail -n +2 "$work/steg.csv" | awk -F, '$4 == "complete" { print $2 }' | sort | uniq -c \
    >"$work/steg-steps.txt"

"$venv/bin/python" "$here/compare.py" \
    --steg-json "$work/steg.json" --steg-steps "$work/steg-steps.txt" \
    --steg-seconds "$(echo "$t1 - $t0" | bc)" \
    --simpy-json "$work/simpy.json" --simpy-seconds "$(echo "$t3 - $t2" | bc)"
