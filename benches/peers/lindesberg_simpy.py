#!/usr/bin/env python3
"""Lindesberg's ekonomiskt bistånd process as a SimPy model: the peer of `steg simulate`.

This is the model an analyst would write by hand instead of using steg, from the same
configuration (workflows/lindesberg and its base workflows/common, rules/common and
rules/lindesberg):

* the figures are read from the YAML: `simulation:` (start, arrivals per month, constants,
  attribute shares, event rates and calendars), role staff counts, parameters, and each step's
  `effort`;
* the routes are written out below as SimPy processes, one generator per workflow, with the
  Rhai rules they use translated into Python functions.

Time is counted in days from `simulation.start`, like steg's calendar. Each role with a staff
count has `staff` people working 8 hours a weekday, serving its queue first come, first served
once a day after the day's moves; a step with an `effort` waits in that queue. Outside events
come at an exponential time with mean 1/rate months while a step waits for them (rounded to
whole days), the monthly application on the calendar from the day the case started. Each case
is followed `--months` months from its arrival.

It counts the events steg's event log (`steg simulate --log`) counts: one per step a case
enters (a task or decision when it is entered, before its staff time; a wait when it starts
waiting; a fork; a join when it fires; a referral; an end). It prints one JSON line: cases,
events, seconds (of the simulation itself, without starting Python and reading the YAML),
events per second, and figures for comparing the two models (benches/peers/run.sh).

Usage: lindesberg_simpy.py [--cases N] [--seed S] [--months M] [--config workflows/lindesberg]
"""

import argparse
import calendar
import json
import math
import random
import re
import sys
import time
from collections import Counter, deque
from datetime import date
from pathlib import Path

import simpy
import yaml

#: Days in an average month, for turning "per month" rates into days (as steg does).
DAYS_PER_MONTH = 30.436875
#: Working hours per staff member and weekday (arbetstidslagen 5 §, as steg).
HOURS_PER_DAY = 8.0
#: Time of day at which staff serve their queues: after every move of the day.
SERVICE = 0.5


class FollowUpOver(Exception):
    """The case's follow-up ended before this branch could go on."""


class WaitsForever(Exception):
    """The branch waits for an answer the simulated world never sends."""


# --------------------------------------------------------------------------------------------
# The configuration: figures from the YAML.
# --------------------------------------------------------------------------------------------

def parse_hours(text):
    """Staff time such as `4h`, `30min`, `1h30min`, `1.5h`, in hours."""
    m = re.fullmatch(r"\s*(?:([0-9.]+)\s*h)?\s*(?:([0-9]+)\s*min)?\s*", str(text))
    if not m or not (m.group(1) or m.group(2)):
        raise ValueError(f"not an effort: {text!r}")
    return float(m.group(1) or 0) + float(m.group(2) or 0) / 60.0


def parse_months(text):
    """A whole number of calendar months, `1mo` or `3mo` (the only periods this model needs)."""
    m = re.fullmatch(r"([0-9]+)mo", str(text).strip())
    if not m:
        raise ValueError(f"this model handles periods in whole months only, not {text!r}")
    return int(m.group(1))


def load_config(folder):
    """The figures of a municipality folder, merged over its `extends:` base the way steg
    merges them: whole entries by id, the folder's over the base's."""
    folder = Path(folder)
    muni = yaml.safe_load((folder / "municipality.yaml").read_text(encoding="utf-8"))
    layers = [folder]
    if muni.get("extends"):
        layers.insert(0, (folder / muni["extends"]).resolve())
    roles, params, events, sim = {}, {}, {}, None
    workflows = {}
    for layer in layers:
        m = yaml.safe_load((layer / "municipality.yaml").read_text(encoding="utf-8"))
        roles.update(m.get("roles") or {})
        params.update({k: v["value"] for k, v in (m.get("parameters") or {}).items()})
        events.update(m.get("events") or {})
        sim = m.get("simulation") or sim
        for f in sorted(layer.iterdir()):
            if f.name == "municipality.yaml" or f.suffix.lower() not in (".yaml", ".yml"):
                continue
            w = yaml.safe_load(f.read_text(encoding="utf-8"))
            steps = workflows.setdefault(w["workflow"], {})
            for gone in w.get("remove") or []:
                steps.pop(gone, None)
            steps.update(w.get("steps") or {})
    staff = {}
    for name, r in roles.items():
        s = r.get("staff")
        if s is not None and s != "unlimited":
            staff[name] = float(s)
    effort = {}
    for wf, steps in workflows.items():
        for sid, s in steps.items():
            if s.get("effort") is not None:
                effort[f"{wf}.{sid}"] = (s.get("actor"), parse_hours(s["effort"]))
    # How long an event raised by a case is kept when no step waits for it (whole months here).
    keep = {n: parse_months(e["keep"]) for n, e in events.items() if e.get("keep") is not None}
    return {"staff": staff, "params": params, "sim": sim, "effort": effort, "keep": keep}


# --------------------------------------------------------------------------------------------
# The rules (rules/common/*.rhai, rules/lindesberg/*.rhai) translated.
# --------------------------------------------------------------------------------------------

def arbetsformaga_racker_for_ame(a, p):
    return a["arbetsformaga"] >= p["min_arbetsformaga"]


def franvaro_over_gransen(a, p):
    return (a["missade_besok"] >= p["franvaro_missade_besok"]
            or a["franvaro_dagar_i_rad"] >= p["franvaro_dagar_i_rad"])


def sol_4_4_krav_far_stallas(a, p):
    return a["far_forsorjningsstod"] and not a["erbjuden_arbetsmarknadspolitisk_atgard"]


def sol_4_5_fortsatt_stod_far_vagras(a, p):
    return (a["far_forsorjningsstod"] and a["anvisad_enligt_4_4"]
            and a["avbojer_kompetenshojande_verksamhet"] and not a["godtagbart_skal"])


def arbetsformaga_minst_25(a, p):
    return arbetsformaga_racker_for_ame(a, p)


def coachingteam_malgrupp(a, p):
    return (not arbetsformaga_minst_25(a, p)
            and p["coachingteam_min_alder"] <= a["alder"] <= p["coachingteam_max_alder"]
            and a["behov_samordnad_rehabilitering"])


def ame_malgrupp(a, p):
    return (a["kan_na_stegforflyttning"] and not a["insats_via_annan_aktor"]
            and arbetsformaga_minst_25(a, p))


def resursjobb_malgrupp(a, p):
    return a["funktionsvariation"] or a["nyanland_behov_extra_stod"] or a["langtidsarbetslos"]


def franvaro_ska_rapporteras(a, p):
    return a["far_forsorjningsstod"] and franvaro_over_gransen(a, p)


def ingen_progression(a, p):
    return not a["progression"]


def ratt_till_bistand(a, p):
    if not a["forsorjningsbehov"]:
        return False
    if a["orsak"] == "arbetslos":
        medverkar = a["anmald_arbetsformedlingen"] and a["aktivt_arbetssokande"]
    else:
        medverkar = a["medverkar_utifran_formaga"]
    return medverkar and a["foljer_planering"]


def handlingsplan_ska_upprattas(a, p):
    return not a["har_handlingsplan"] and a["ansokan_nr"] >= p["plan_vid_manadsansokan"]


def plan_ska_revideras(a, p):
    return (a["har_handlingsplan"]
            and a["manader_sedan_planen_sags_over"] >= p["plan_revidering_manader"])


# --------------------------------------------------------------------------------------------
# The model.
# --------------------------------------------------------------------------------------------

class Role:
    """A role's staff: `staff` people, 8 hours a weekday, one first-come queue."""

    def __init__(self, model, name, staff):
        self.model, self.name, self.staff = model, name, staff
        self.queue = deque()   # [hours left, done event, time asked]
        self.idle = None
        self.last_day = -1
        self.worked = 0.0
        self.waits = 0
        self.wait_days = 0
        model.env.process(self.serve())

    def ask(self, hours):
        ev = self.model.env.event()
        self.queue.append([hours, ev, self.model.env.now])
        if self.idle is not None and not self.idle.triggered:
            self.idle.succeed()
        return ev

    def serve(self):
        env = self.model.env
        while True:
            if not self.queue:
                self.idle = env.event()
                yield self.idle
                self.idle = None
            day = max(math.ceil(env.now - SERVICE), self.last_day + 1)
            yield env.timeout(day + SERVICE - env.now)
            self.last_day = day
            if not self.model.weekday(day):
                continue
            capacity = self.staff * HOURS_PER_DAY
            q = self.queue
            # Work asked for during this service (by cases it finished) waits for the next day.
            while capacity > 1e-9 and q and q[0][2] < env.now:
                front = q[0]
                take = min(front[0], capacity)
                front[0] -= take
                capacity -= take
                self.worked += take
                if front[0] <= 1e-9:
                    q.popleft()
                    self.waits += 1
                    self.wait_days += day - math.floor(front[2])
                    front[1].succeed()


class Timer:
    """A recurring timer (`every: N mo`) anchored at its wait's first entry."""

    __slots__ = ("anchor", "months", "k", "due")

    def __init__(self, model, day, months):
        self.anchor, self.months, self.k = model.date_of(day), months, 1
        self.due = model.day_of(add_months(self.anchor, months))

    def fired(self, model):
        self.k += 1
        self.due = model.day_of(add_months(self.anchor, self.months * self.k))


def add_months(d, k):
    y, m = divmod(d.month - 1 + k, 12)
    y += d.year
    return date(y, m + 1, min(d.day, calendar.monthrange(y, m + 1)[1]))


class Model:
    def __init__(self, cfg, cases, seed, months):
        self.cfg = cfg
        self.p = cfg["params"]
        sim = cfg["sim"]
        self.env = simpy.Environment()
        self.rng = random.Random(seed)
        self.cases = cases
        self.months = months
        self.start = date.fromisoformat(str(sim["start"]))
        self.start_ord = self.start.toordinal()
        self.start_wd = self.start.weekday()
        self.arrivals = float(sim["arrivals_per_month"]["value"])
        self.constants = dict(sim.get("constants") or {})
        self.attributes = []
        for name, a in (sim.get("attributes") or {}).items():
            if "values" in a:
                acc, cum = 0.0, []
                for v in a["values"]:
                    acc += float(v["share"])
                    cum.append((acc, v["value"]))
                self.attributes.append((name, "values", cum))
            else:
                lo, hi = a["uniform"]
                kind = "int" if float(lo).is_integer() and float(hi).is_integer() else "float"
                self.attributes.append((name, kind, (lo, hi)))
        self.rates, self.every, self.effects = {}, {}, {}
        for name, e in (sim.get("events") or {}).items():
            if "per_month" in e:
                self.rates[name] = float(e["per_month"])
            elif "every" in e:
                self.every[name] = parse_months(e["every"])
            else:
                raise ValueError(f"event {name}: this model handles `per_month` and `every`")
            self.effects[name] = (dict(e.get("set") or {}), dict(e.get("increment") or {}))
        self.roles = {name: Role(self, name, n) for name, n in cfg["staff"].items()}
        self.effort = {}
        for step, (actor, hours) in cfg["effort"].items():
            role = self.roles.get(actor)
            if role is not None and hours > 0:
                self.effort[step] = (role, hours)
        self.moves = 0
        self.steps = Counter()
        self.outcomes = Counter()
        self.open = 0
        self.last_day = 0
        self.keep = cfg["keep"]

    def date_of(self, day):
        return date.fromordinal(self.start_ord + day)

    def day_of(self, d):
        return d.toordinal() - self.start_ord

    def weekday(self, day):
        return (self.start_wd + day) % 7 < 5

    def draw_case(self):
        a = dict(self.constants)
        rng = self.rng
        for name, kind, spec in self.attributes:
            if kind == "values":
                u = rng.random()
                for c, v in spec:
                    if u < c:
                        a[name] = v
                        break
                else:
                    a[name] = spec[-1][1]
            elif kind == "int":
                a[name] = rng.randint(int(spec[0]), int(spec[1]))
            else:
                a[name] = spec[0] + rng.random() * (spec[1] - spec[0])
        return a

    def source(self):
        env = self.env
        day = 0
        for n in range(self.cases):
            if day > env.now:
                yield env.timeout(day - env.now)
            env.process(Case(self, n, day).run())
            gap = self.rng.expovariate(self.arrivals / DAYS_PER_MONTH)
            day += int(gap + 0.5)

    def run(self):
        self.env.process(self.source())
        self.env.run()


class Case:
    """One case: its data, its follow-up, what it keeps of the events it was sent."""

    def __init__(self, model, n, day):
        self.m = model
        self.env = model.env
        self.p = model.p
        self.n = n
        self.a = model.draw_case()
        self.start = day
        self.horizon = model.day_of(add_months(model.date_of(day), model.months))
        self.kept = {}          # event raised by the case and not yet taken -> day kept since
        self.listen = {}        # event name -> simpy event of the wait listening for it
        self.application = 1    # the number of the next monthly application not yet delivered
        self.app_months = model.every.get("manadsansokan_inkommen")

    # -- what every step does --------------------------------------------------------------

    def today(self):
        return math.floor(self.env.now)

    def move(self, step):
        """The case enters `step`: one event, as in steg's event log."""
        self.m.moves += 1
        self.m.steps[step] += 1

    def work(self, step):
        """A task or decision is entered, then waits for its actor's staff time, if any."""
        self.move(step)
        e = self.m.effort.get(step)
        if e is not None:
            yield e[0].ask(e[1])
            if self.today() > self.horizon:
                raise FollowUpOver()

    def effect(self, name):
        sets, incs = self.m.effects.get(name, ({}, {}))
        a = self.a
        a.update(sets)
        for k, by in incs.items():
            a[k] = a.get(k, 0) + by

    def emit(self, name, keep_months):
        """An event the case raises: the waiting step takes it, or it is kept a while."""
        ev = self.listen.get(name)
        if ev is not None and not ev.triggered:
            ev.succeed(name)
        elif name not in self.kept:
            self.kept[name] = (self.today(), self.m.day_of(add_months(
                self.m.date_of(self.today()), keep_months)))

    def app_due(self, k):
        return self.m.day_of(add_months(self.m.date_of(self.start), self.app_months * k))

    def wait(self, rates, mailbox=(), timer=None, applications=False):
        """A wait step: what moves it (an event name, or "timer"). Something kept or overdue
        moves it at once; otherwise the first of its timers, calendar events, events drawn at
        their rates, and events raised by the case's other branch."""
        today = self.today()
        owed = None
        for name in mailbox:
            k = self.kept.get(name)
            if k is not None:
                since, lapse = k
                if today >= lapse:
                    del self.kept[name]   # its `keep` period passed: lost
                elif owed is None or since < owed[0]:
                    owed = (since, name)
        if applications:
            due = self.app_due(self.application)
            if due <= today and (owed is None or due < owed[0]):
                owed = (due, "manadsansokan_inkommen")
        if timer is not None and timer.due <= today and (owed is None or timer.due < owed[0]):
            owed = (timer.due, "timer")
        if owed is not None:
            return self.take(owed[1], timer)
        when, what = None, None
        rng = self.m.rng
        for name, rate in rates:
            d = today + int(min(rng.expovariate(rate / DAYS_PER_MONTH), 36500.0) + 0.5)
            if when is None or d < when:
                when, what = d, name
        if timer is not None and timer.due <= when:
            when, what = timer.due, "timer"
        if applications:
            due = self.app_due(self.application)
            if due <= when:
                when, what = due, "manadsansokan_inkommen"
        if when > self.horizon:
            when, what = self.horizon + 1, None
        t = self.env.timeout(max(0.0, when - self.env.now))
        if mailbox:
            ev = self.env.event()
            for name in mailbox:
                self.listen[name] = ev
            yield ev | t
            for name in mailbox:
                del self.listen[name]
            if ev.triggered:
                self.kept.pop(ev.value, None)
                return ev.value
        else:
            yield t
        if what is None:
            raise FollowUpOver()
        return self.take(what, timer)

    def take(self, what, timer):
        if what == "timer":
            timer.fired(self.m)
        elif what == "manadsansokan_inkommen":
            # Applications that came while the cycle was busy were kept as one.
            today = self.today()
            while self.app_due(self.application) <= today:
                self.application += 1
            self.effect(what)
        elif what in self.kept:
            del self.kept[what]
        else:
            self.effect(what)
        return what

    # -- the process ---------------------------------------------------------------------------

    def run(self):
        """workflows/lindesberg/ekonomiskt_bistand.yaml (over workflows/common's)."""
        try:
            yield from self.main()
        except FollowUpOver:
            self.close(None)

    def main(self):
        a, p = self.a, self.p
        self.move("ekonomiskt_bistand.ansokan")
        yield from self.work("ekonomiskt_bistand.utredning")
        yield from self.work("ekonomiskt_bistand.beslut_bistand")
        if not ratt_till_bistand(a, p):
            self.move("ekonomiskt_bistand.avslag")
            return self.close("avslag")
        self.move("ekonomiskt_bistand.parallella_spar")
        cycle = self.env.process(self.branch(self.monthly_cycle()))
        labour = self.env.process(self.branch(self.labour_track()))
        yield cycle & labour
        if not (cycle.value and labour.value):
            return self.close(None)
        self.move("ekonomiskt_bistand.avslut")
        yield from self.work("ekonomiskt_bistand.avslutsorsak")
        end = a["utfall"] if a["utfall"] in ("egen_forsorjning", "studier", "sjukersattning") \
            else "ej_aktuellt"
        self.move(f"ekonomiskt_bistand.{end}")
        self.close(end)

    def close(self, outcome):
        m = self.m
        m.last_day = max(m.last_day, min(self.today(), self.horizon))
        if outcome is None:
            m.open += 1
        else:
            m.outcomes[outcome] += 1

    def branch(self, gen):
        try:
            yield from gen
            return True
        except (FollowUpOver, WaitsForever):
            return False

    def monthly_cycle(self):
        """Track 1: the monthly application, the plan and its revision, absence reports."""
        a, p = self.a, self.p
        rates = [("arende_ej_aktuellt", self.m.rates["arende_ej_aktuellt"])]
        while True:
            self.move("ekonomiskt_bistand.manadscykel")
            what = yield from self.wait(rates, mailbox=("franvaro_rapporterad",),
                                        applications=True)
            if what == "arende_ej_aktuellt":
                yield from self.work("ekonomiskt_bistand.manadscykel_avslutad")
                return
            if what == "franvaro_rapporterad":
                yield from self.work("ekonomiskt_bistand.franvaro_mottagen")
                continue
            yield from self.work("ekonomiskt_bistand.manadsansokan")
            if handlingsplan_ska_upprattas(a, p):
                a["har_handlingsplan"] = True
                a["manader_sedan_planen_sags_over"] = 0
                yield from self.work("ekonomiskt_bistand.plan")
            elif plan_ska_revideras(a, p):
                a["manader_sedan_planen_sags_over"] = 0
                yield from self.work("ekonomiskt_bistand.uppfoljning")
            yield from self.work("ekonomiskt_bistand.beslut_manadsansokan")
            if sol_4_5_fortsatt_stod_far_vagras(a, p):
                yield from self.work("ekonomiskt_bistand.beslut_4_5")
            elif ratt_till_bistand(a, p):
                yield from self.work("ekonomiskt_bistand.utbetalning")

    def labour_track(self):
        """Track 2: the 25 % threshold, AME or the coaching team, the answer back."""
        a, p = self.a, self.p
        while True:
            yield from self.work("ekonomiskt_bistand.arbetsmarknadsbedomning")
            if arbetsformaga_minst_25(a, p):
                yield from self.work("ekonomiskt_bistand.beslut_4_4")
                if not sol_4_4_krav_far_stallas(a, p):
                    yield from self.work("ekonomiskt_bistand.planering_annan_aktor")
                    break
                self.move("ekonomiskt_bistand.anvisning_ame")
                answer = yield from self.ame()
                if answer in ("egen_forsorjning", "studier"):
                    break
            elif coachingteam_malgrupp(a, p):
                self.move("ekonomiskt_bistand.anvisning_coachingteam")
                answer = yield from self.coachingteam()
                if answer == "stegforflyttning":
                    continue
                if answer != "aterremitterad":
                    break
            else:
                yield from self.work("ekonomiskt_bistand.ovrig_planering")
                break
            # aterremitterad
            yield from self.work("ekonomiskt_bistand.ny_planering")
        yield from self.work("ekonomiskt_bistand.arbetsmarknadsspar_avslutat")

    def ame(self):
        """workflows/lindesberg/ame.yaml: the answer (the outcome of its end)."""
        a, p, m = self.a, self.p, self.m
        self.move("ame.ame_inskrivning")
        yield from self.work("ame.fordelning")
        if not ame_malgrupp(a, p):
            self.move("ame.aterremittering")
            return "aterremitterad"
        yield from self.work("ame.kartlaggning")
        yield from self.work("ame.val_av_insats")
        yield from self.work("ame.resursjobb" if resursjobb_malgrupp(a, p) else "ame.praktik")
        timer = Timer(m, self.today(), 3)   # every: 3mo, from the first entry into `insats`
        rates = [(e, m.rates[e]) for e in ("arbete_erhallet", "studier_paborjade",
                                           "franvaro_noterad")]
        while True:
            self.move("ame.insats")
            what = yield from self.wait(rates, timer=timer)
            if what == "arbete_erhallet":
                a["utfall"] = "egen_forsorjning"
                self.move("ame.egen_forsorjning")
                return "egen_forsorjning"
            if what == "studier_paborjade":
                a["utfall"] = "studier"
                self.move("ame.studier")
                return "studier"
            if what == "franvaro_noterad":
                yield from self.work("ame.narvarokontroll")
                if franvaro_ska_rapporteras(a, p):
                    self.emit("franvaro_rapporterad", m.keep["franvaro_rapporterad"])
                    yield from self.work("ame.franvaro")
                continue
            yield from self.work("ame.uppfoljning")
            if ingen_progression(a, p):
                self.move("ame.aterremittering")
                return "aterremitterad"

    def coachingteam(self):
        """workflows/lindesberg/coachingteam.yaml: the answer (the outcome of its end)."""
        a, p, m = self.a, self.p, self.m
        yield from self.work("coachingteam.trepartsmote")
        self.move("coachingteam.erbjudande")
        what = yield from self.wait([(e, m.rates[e]) for e in ("erbjudande_accepterat",
                                                               "erbjudande_avbojt")])
        if what == "erbjudande_avbojt":
            yield from self.work("coachingteam.beslut_4_5")
            if sol_4_5_fortsatt_stod_far_vagras(a, p):
                yield from self.work("coachingteam.fortsatt_stod_vagras")
            self.move("coachingteam.avbojt")
            return "avbojt"
        timer = Timer(m, self.today(), 3)
        rates = [(e, m.rates[e]) for e in ("arbete_erhallet", "studier_paborjade",
                                           "arbetsformaga_saknas")]
        while True:
            self.move("coachingteam.insats")
            what = yield from self.wait(rates, timer=timer)
            if what == "arbete_erhallet":
                a["utfall"] = "egen_forsorjning"
                self.move("coachingteam.egen_forsorjning")
                return "egen_forsorjning"
            if what == "studier_paborjade":
                a["utfall"] = "studier"
                self.move("coachingteam.studier")
                return "studier"
            if what == "arbetsformaga_saknas":
                yield from self.work("coachingteam.underlag_sjukersattning")
                # A referral to Försäkringskassan, a unit outside the model: its answer
                # (beviljad / avslag) is not simulated, so this branch waits for ever.
                self.move("coachingteam.ansokan_sjukersattning")
                raise WaitsForever()
            yield from self.work("coachingteam.uppfoljning")
            if arbetsformaga_minst_25(a, p):
                self.move("coachingteam.stegforflyttning")
                return "stegforflyttning"
            if ingen_progression(a, p):
                self.move("coachingteam.aterremittering")
                return "aterremitterad"


def weekdays_between(model, first, last):
    return sum(1 for d in range(first, last + 1) if model.weekday(d))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=100_000, help="number of cases (default 100000)")
    ap.add_argument("--seed", type=int, default=1, help="seed of every random draw (default 1)")
    ap.add_argument("--months", type=int, default=24,
                    help="how long each case is followed, in months (default 24)")
    default_cfg = Path(__file__).resolve().parents[2] / "workflows" / "lindesberg"
    ap.add_argument("--config", default=str(default_cfg),
                    help="the municipality folder (default workflows/lindesberg)")
    args = ap.parse_args(argv)
    if args.cases < 1 or args.months < 1:
        ap.error("--cases and --months must be at least 1")

    cfg = load_config(args.config)
    model = Model(cfg, args.cases, args.seed, args.months)
    t0 = time.perf_counter()
    model.run()
    seconds = time.perf_counter() - t0

    weekdays = weekdays_between(model, 0, model.last_day)
    roles = {}
    for name, r in model.roles.items():
        if r.waits:
            roles[name] = {
                "utilisation": round(r.worked / (r.staff * HOURS_PER_DAY * weekdays), 4),
                "mean_wait_days": round(r.wait_days / r.waits, 3),
            }
    print(json.dumps({
        "tool": "simpy",
        "simpy": simpy.__version__,
        "python": sys.version.split()[0],
        "cases": args.cases,
        "seed": args.seed,
        "months": args.months,
        "events": model.moves,
        "seconds": round(seconds, 3),
        "events_per_s": round(model.moves / seconds) if seconds > 0 else None,
        "outcomes": dict(sorted(model.outcomes.items())),
        "open": model.open,
        "roles": roles,
        "steps": dict(sorted(model.steps.items())),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
