//! `steg simulate`: many cases drawn from `municipality.yaml`'s `simulation:` inputs, routed by
//! the same compiled nets and rules as `steg run` (`crate::run::case`), with staff capacity: a
//! step with an `effort` takes its actor's time, each role has `staff` people working 8 hours on
//! weekdays, and work waits in a first-come queue when they are busy.
//!
//! One replication is one stream of arrivals at the configured rate, with queues shared by every
//! case; `--replications R` runs R independently seeded copies in parallel and reports each KPI
//! as a mean with a 95 % confidence interval (Student's t over the replications), the way
//! simulation studies report results.
//!
//! Reproducible: every case draws from its own random stream (replication seed, case number),
//! the day loop handles cases in a fixed order, and replications are merged in their order, so
//! the same seed gives the same report whatever the thread count. Memory stays flat in the
//! number of cases: a case is folded into the KPIs when it closes or its follow-up ends.

pub mod log;
pub(crate) mod measure;
mod report;
mod rng;

pub use report::{Dist, Estimate, FigureEstimate, Report, RoleStats, StuckCount, WaitingCount};
pub use rng::Rng;

use crate::diagnostic::Diagnostic;
use crate::eval::{to_dynamic, Arende, Memo};
use crate::graph::Graph;
use crate::model::{StepKind, Value};
use crate::municipality::Municipality;
use crate::run::case::{Case, Ctx, External, World};
use crate::semantics::{At, PStep, Program, Semantics};
use crate::validity::parse_date;
use crate::SourceMap;
use chrono::{Datelike, NaiveDate, Weekday};
use rayon::prelude::*;
use rhai::Dynamic;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, VecDeque};

/// Working hours per staff member and weekday: 40 hours a week, the normal working time of
/// arbetstidslagen (1982:673) 5 §.
pub const HOURS_PER_DAY: f64 = 8.0;
/// Days in an average month, for turning "per month" rates into days.
pub const DAYS_PER_MONTH: f64 = 30.436_875;

/// Receives each finished case (for event logs), with what it ran against (the program and
/// the compiled net whose transitions `Case::fired` names).
pub type CaseSink<'a> = dyn FnMut(&Ctx, &Case) -> std::io::Result<()> + 'a;

/// The working day of a staff member: from 08:00, [`HOURS_PER_DAY`] hours. Event logs place
/// work inside it.
pub const WORKDAY_START_MINUTE: u16 = 8 * 60;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Number of cases.
    pub cases: u64,
    /// Seed of every random draw.
    pub seed: u64,
    /// How long each case is followed, in months.
    pub months: u32,
    /// Overrides: `roles.NAME.staff=N`, `parameters.NAME=V`, `simulation.arrivals_per_month=N`,
    /// `simulation.entries.WORKFLOW.arrivals_per_month=N`.
    pub set: Vec<(String, String)>,
    /// Keep each case's moves for an event log.
    pub record: bool,
    /// Worker threads (0: one per core). The result does not depend on it.
    pub threads: usize,
    /// Independent replications (1 or more), each a seeded copy of the whole run.
    pub replications: u32,
    /// The last day of the run: no case arrives after it and none is followed past it (then
    /// `cases` is only an upper bound). `None`: `cases` cases, each followed `months`.
    pub until: Option<NaiveDate>,
}

/// Work waiting for a role.
#[derive(Debug, Clone)]
struct Request {
    slot: usize,
    generation: u64,
    token: u32,
    epoch: u32,
    hours: f64,
    earliest: NaiveDate,
    since: NaiveDate,
    /// When work on it started: the day, the member and the hour within their day.
    started: Option<(NaiveDate, u32, f64)>,
}

/// A role's staff in simulation: a number of people, or none to wait for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Capacity {
    /// Full-time equivalents; work queues when they are busy.
    Staff(f64),
    /// Work never waits (the person themselves, or `staff: unlimited`).
    None,
}

struct Resolved {
    start: NaiveDate,
    /// One arrival stream per entry workflow that has arrivals; the first is the first entry
    /// workflow's (`arrivals_per_month`).
    streams: Vec<Stream>,
    events: HashMap<String, EventDraw>,
    /// Data drawn at each entry into a step.
    at_steps: HashMap<At, Vec<(String, AttrDraw)>>,
    /// Capacity per role, indexed like `Program::roles`.
    capacity: Vec<Capacity>,
    kpi: KpiSteps,
    /// How units outside the model answer referrals, by unit id.
    answers: HashMap<String, AnswerDraw>,
}

/// A unit's answers: the delay range and the answers with cumulative shares.
struct AnswerDraw {
    after: crate::DurationRange,
    answers: Vec<(f64, String)>,
}

/// Cases arriving in one entry workflow.
struct Stream {
    /// The entry workflow.
    entry: u32,
    /// New cases per month, and its dated changes (in date order).
    rate: f64,
    changes: Vec<(NaiveDate, f64)>,
    constants: Vec<(String, Dynamic)>,
    attributes: Vec<(String, AttrDraw)>,
}

impl Stream {
    /// The rate in force on `date`.
    fn rate_on(&self, date: NaiveDate) -> f64 {
        self.changes
            .iter()
            .rev()
            .find(|(d, _)| *d <= date)
            .map_or(self.rate, |(_, r)| *r)
    }

    /// The day after `from` on which the next case arrives, drawn from `rng`; `None` when the
    /// rate is 0 from then on.
    fn next_after(&self, from: NaiveDate, rng: &mut Rng) -> Option<NaiveDate> {
        let mut at = from;
        loop {
            let rate = self.rate_on(at);
            if rate > 0.0 {
                let gap = rng.exp(DAYS_PER_MONTH / rate);
                return at.checked_add_signed(chrono::Duration::days(gap.round() as i64));
            }
            // No arrivals at this rate: jump to the next change, if any.
            at = self.changes.iter().map(|(d, _)| *d).find(|d| *d > at)?;
        }
    }
}

#[derive(Clone)]
enum AttrDraw {
    Values(Vec<(f64, Dynamic)>),
    Int(i64, i64),
    Float(f64, f64),
}

struct EventDraw {
    per_month: Option<f64>,
    after: Option<crate::Duration>,
    every: Option<crate::Duration>,
    set: Vec<(String, Dynamic)>,
    increment: Vec<(String, f64)>,
    /// Case data drawn anew each time.
    draw: Vec<(String, AttrDraw)>,
}

/// The steps KPIs are measured on.
#[derive(Default)]
pub(crate) struct KpiSteps {
    pub ansokan: Vec<At>,
    pub beslut: Vec<At>,
    pub insats: Vec<At>,
    pub plan: Vec<At>,
    pub franvaro_fran: Vec<At>,
    pub franvaro_till: Vec<At>,
    pub aterremittering: String,
    pub anvisning: Vec<At>,
}

/// Why a simulation could not run.
pub type SimError = Vec<Diagnostic>;

fn invalid(msg: String) -> Diagnostic {
    Diagnostic::new(&crate::codes::INVALID_VALUE, None, msg)
}

/// The longest calendar a simulation may span (arrivals and follow-up), in months: a million
/// cases at Lindesberg's 15 a month take 5 600 years of simulated calendar, and the calendar
/// counts to the year 262 143; beyond this the rate is a mistake (0.000001 a month).
const MAX_SPAN_MONTHS: f64 = 1_000_000.0;

fn resolve(
    m: &Municipality,
    prog: &Program,
    opts: &Options,
) -> Result<(Resolved, crate::eval::Params), SimError> {
    let Some((_, def)) = &m.def else {
        return Err(vec![invalid("municipality.yaml could not be read".into())]);
    };
    let Some(sim) = &def.simulation else {
        return Err(vec![invalid(format!(
            "{} has no `simulation:` in municipality.yaml: arrivals, case attributes and event rates are needed to draw cases (docs/language.md, \"The simulation block\")",
            m.dir.display()
        ))]);
    };
    let mut errors = Vec::new();
    let start = parse_date(&sim.start.value).map_err(|e| vec![invalid(e)])?;
    let mut capacity: Vec<Capacity> = prog
        .roles
        .iter()
        .map(|r| {
            match def
                .roles
                .get(r)
                .and_then(|x| x.staff.as_ref())
                .and_then(|s| s.value.count())
            {
                Some(n) => Capacity::Staff(n),
                None => Capacity::None,
            }
        })
        .collect();
    let mut arrivals = number(&sim.arrivals_per_month.value.value).unwrap_or(0.0);
    // `--set simulation.entries.W.arrivals_per_month=N`, by entry workflow.
    let mut entry_rates: HashMap<&str, f64> = HashMap::new();
    let mut params = m.params.clone();
    for (key, value) in &opts.set {
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            ["roles", role, "staff"] => {
                let Some(i) = prog.roles.iter().position(|r| r == role) else {
                    errors.push(invalid(format!("--set {key}: no role `{role}`{}", hint(role, def.roles.keys()))));
                    continue;
                };
                match value.parse::<f64>() {
                    Ok(v) if v > 0.0 && v.is_finite() => capacity[i] = Capacity::Staff(v),
                    _ if value == "unlimited" => capacity[i] = Capacity::None,
                    _ => errors.push(invalid(format!("--set {key}={value}: staff must be a number of people above 0, or `unlimited`"))),
                }
            }
            ["parameters", name] => {
                if !def.parameters.contains(name) {
                    errors.push(invalid(format!("--set {key}: no parameter `{name}`{}", hint(name, def.parameters.keys()))));
                    continue;
                }
                let v: serde_json::Value = serde_json::from_str(value).unwrap_or_else(|_| serde_json::Value::String(value.clone()));
                let mut map = serde_json::Map::new();
                map.insert(name.to_string(), v);
                params = params.with(&map);
            }
            ["simulation", "arrivals_per_month"] => match value.parse::<f64>() {
                Ok(v) if v > 0.0 && v.is_finite() => arrivals = v,
                _ => errors.push(invalid(format!("--set {key}={value}: arrivals must be a positive number"))),
            },
            ["simulation", "entries", name, "arrivals_per_month"] => {
                if !sim.entries.contains(name) {
                    errors.push(invalid(format!("--set {key}: no `simulation.entries.{name}`{}", hint(name, sim.entries.keys()))));
                    continue;
                }
                match value.parse::<f64>() {
                    Ok(v) if v >= 0.0 && v.is_finite() => {
                        entry_rates.insert(name, v);
                    }
                    _ => errors.push(invalid(format!("--set {key}={value}: arrivals must be a number, 0 or more"))),
                }
            }
            _ => errors.push(invalid(format!(
                "--set {key}: not a knob; use roles.ROLE.staff=N, parameters.NAME=VALUE, simulation.arrivals_per_month=N or simulation.entries.WORKFLOW.arrivals_per_month=N"
            ))),
        }
    }
    if !(arrivals > 0.0 && arrivals.is_finite()) {
        errors.push(invalid(
            "simulation.arrivals_per_month must be a positive number".into(),
        ));
    } else {
        let span_months = match opts.until {
            Some(u) => (u - start).num_days() as f64 / DAYS_PER_MONTH,
            None => opts.cases as f64 / arrivals + f64::from(opts.months),
        };
        if span_months > MAX_SPAN_MONTHS {
            errors.push(invalid(format!(
                "{} cases at {arrivals} a month would arrive over {span_months:.0} months; steg simulates at most {MAX_SPAN_MONTHS} months (raise arrivals_per_month or simulate fewer cases)",
                opts.cases
            )));
        }
    }
    let attributes = attr_draws("simulation attribute", &sim.attributes, &mut errors);
    let constants: Vec<(String, Dynamic)> = sim
        .constants
        .iter()
        .map(|(k, v)| (k.clone(), to_dynamic(v)))
        .collect();
    // The first entry workflow's stream, then one per `entries:` workflow.
    let Some(&first) = prog.entries.first() else {
        return Err(vec![invalid("no entry workflow".into())]);
    };
    let mut streams = vec![Stream {
        entry: first,
        rate: arrivals,
        changes: changes(&sim.arrival_changes, &mut errors),
        constants: constants.clone(),
        attributes,
    }];
    for (name, e) in sim.entries.iter() {
        let Some(w) = prog
            .workflows
            .iter()
            .position(|w| w.name == name.value)
            .map(|w| w as u32)
        else {
            errors.push(invalid(format!(
                "simulation.entries: no workflow `{}`{}",
                name.value,
                hint(&name.value, prog.workflows.iter().map(|w| w.name.as_str()))
            )));
            continue;
        };
        if !prog.entries.contains(&w) {
            errors.push(invalid(format!(
                "simulation.entries: workflow `{}` is not an entry workflow (add it to `entry:` in municipality.yaml)",
                name.value
            )));
            continue;
        }
        if w == first {
            errors.push(invalid(format!(
                "simulation.entries: `{}` is the first entry workflow, whose arrivals are `simulation.arrivals_per_month`",
                name.value
            )));
            continue;
        }
        let rate = entry_rates
            .get(name.value.as_str())
            .copied()
            .unwrap_or_else(|| number(&e.arrivals_per_month.value.value).unwrap_or(-1.0));
        if !(rate >= 0.0 && rate.is_finite()) {
            errors.push(invalid(format!(
                "simulation.entries.{}.arrivals_per_month must be a number, 0 or more",
                name.value
            )));
        }
        let mut own = constants.clone();
        for (k, v) in &e.constants {
            own.retain(|(x, _)| x != k);
            own.push((k.clone(), to_dynamic(v)));
        }
        let mut attrs = attr_draws("simulation attribute", &sim.attributes, &mut Vec::new());
        for (k, d) in attr_draws(
            &format!("simulation.entries.{} attribute", name.value),
            &e.attributes,
            &mut errors,
        ) {
            attrs.retain(|(x, _)| *x != k);
            attrs.push((k, d));
        }
        streams.push(Stream {
            entry: w,
            rate: rate.max(0.0),
            changes: changes(&e.arrival_changes, &mut errors),
            constants: own,
            attributes: attrs,
        });
    }
    let mut events = HashMap::new();
    for (name, e) in sim.events.iter() {
        if !def.events.contains(&name.value) {
            errors.push(invalid(format!(
                "simulation event `{}` is not an event of municipality.yaml{}",
                name.value,
                hint(&name.value, def.events.keys())
            )));
        }
        if prog
            .event(&name.value)
            .is_some_and(|i| prog.events[i as usize].internal)
        {
            errors.push(invalid(format!(
                "simulation event `{}` is raised by a step of the case (`emits:`); the simulated world cannot also send it",
                name.value
            )));
        }
        events.insert(
            name.value.clone(),
            event_draw(
                &format!("simulation event `{}`", name.value),
                e,
                &mut errors,
            ),
        );
    }
    let mut at_steps: HashMap<At, Vec<(String, AttrDraw)>> = HashMap::new();
    for (name, d) in sim.at_steps.iter() {
        let found = prog.find(&name.value);
        let workflows: std::collections::BTreeSet<u32> = found.iter().map(|a| a.w).collect();
        if found.is_empty() || workflows.len() > 1 {
            errors.push(invalid(format!(
                "simulation.at_steps: `{}` is {} step; write `workflow.step`",
                name.value,
                if found.is_empty() {
                    "no"
                } else {
                    "more than one"
                }
            )));
            continue;
        }
        let draws = attr_draws(
            &format!("simulation.at_steps.{}", name.value),
            &d.draw,
            &mut errors,
        );
        for a in found {
            at_steps.insert(
                a,
                draws.iter().map(|(k, d)| (k.clone(), d.clone())).collect(),
            );
        }
    }
    let steps = |name: &Option<String>, default: &str, errors: &mut Vec<Diagnostic>| {
        let n = name.as_deref().unwrap_or(default);
        let found = prog.find(n);
        if found.is_empty() && name.is_some() {
            errors.push(invalid(format!("simulation.kpi: no step `{n}`")));
        }
        found
    };
    let kpi = KpiSteps {
        ansokan: steps(&sim.kpi.ansokan, "ansokan", &mut errors),
        beslut: steps(&sim.kpi.beslut, "beslut_4_4", &mut errors),
        insats: steps(&sim.kpi.insats, "insats", &mut errors),
        plan: steps(&sim.kpi.plan, "plan", &mut errors),
        franvaro_fran: sim.kpi.franvaro_fran.as_ref().map_or(Vec::new(), |_| {
            steps(&sim.kpi.franvaro_fran, "", &mut errors)
        }),
        franvaro_till: sim.kpi.franvaro_till.as_ref().map_or(Vec::new(), |_| {
            steps(&sim.kpi.franvaro_till, "", &mut errors)
        }),
        aterremittering: sim
            .kpi
            .aterremittering
            .clone()
            .unwrap_or_else(|| "aterremitterad".into()),
        anvisning: match &sim.kpi.anvisning {
            Some(_) => steps(&sim.kpi.anvisning, "", &mut errors),
            None => all_referrals(prog),
        },
    };
    let mut answers = HashMap::new();
    for (unit, a) in sim.answers.iter() {
        let u = &unit.value;
        if !def.units.contains(u) {
            errors.push(invalid(format!(
                "simulation.answers: `{u}` is not a unit of municipality.yaml{}",
                hint(u, def.units.keys())
            )));
            continue;
        }
        // The answers referrals to the unit expect.
        let expected: Vec<&str> = prog
            .steps()
            .filter(|(_, s)| s.refer_unit.as_deref() == Some(u.as_str()))
            .flat_map(|(_, s)| s.returns.iter().map(|(o, _)| o.as_str()))
            .collect();
        let total: f64 = a.shares.iter().map(|(_, v)| *v).sum();
        if (total - 1.0).abs() > 1e-6 || a.shares.iter().any(|(_, v)| v.is_nan() || *v < 0.0) {
            errors.push(invalid(format!(
                "simulation.answers.{u}: shares must be 0 or more and sum to 1 (they sum to {total})"
            )));
        }
        let mut acc = 0.0;
        let mut cum = Vec::new();
        for (name, share) in a.shares.iter() {
            if !expected.contains(&name.value.as_str()) {
                errors.push(invalid(format!(
                    "simulation.answers.{u}: no referral to `{u}` expects the answer `{}`{}",
                    name.value,
                    hint(&name.value, expected.iter().copied())
                )));
            }
            acc += share;
            cum.push((acc, name.value.clone()));
        }
        answers.insert(
            u.clone(),
            AnswerDraw {
                after: a.after.value,
                answers: cum,
            },
        );
    }
    if opts.replications == 0 {
        errors.push(invalid("--replications must be at least 1".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok((
        Resolved {
            start,
            streams,
            events,
            answers,
            at_steps,
            capacity,
            kpi,
        },
        params,
    ))
}

/// Dated arrival rates, in date order.
fn changes(
    list: &[crate::model::ArrivalChange],
    errors: &mut Vec<Diagnostic>,
) -> Vec<(NaiveDate, f64)> {
    let mut out = Vec::new();
    for c in list {
        match parse_date(&c.from.value) {
            Ok(d) if c.per_month.value >= 0.0 && c.per_month.value.is_finite() => {
                out.push((d, c.per_month.value))
            }
            Ok(_) => errors.push(invalid(format!(
                "arrival change from {}: per_month must be 0 or more",
                c.from.value
            ))),
            Err(e) => errors.push(invalid(format!("arrival change: {e}"))),
        }
    }
    out.sort_by_key(|(d, _)| *d);
    out
}

/// How each attribute of `attrs` is drawn.
fn attr_draws(
    what: &str,
    attrs: &crate::model::Map<crate::model::Attribute>,
    errors: &mut Vec<Diagnostic>,
) -> Vec<(String, AttrDraw)> {
    let mut out = Vec::new();
    for (name, a) in attrs.iter() {
        let draw = if !a.values.is_empty() {
            let total: f64 = a.values.iter().map(|s| s.share.value).sum();
            if (total - 1.0).abs() > 1e-6 || a.values.iter().any(|s| s.share.value < 0.0) {
                errors.push(invalid(format!(
                    "{what} `{}`: shares must be 0 or more and sum to 1 (they sum to {total})",
                    name.value
                )));
            }
            let mut acc = 0.0;
            AttrDraw::Values(
                a.values
                    .iter()
                    .map(|s| {
                        acc += s.share.value;
                        (acc, to_dynamic(&s.value))
                    })
                    .collect(),
            )
        } else if let Some((lo, hi)) = a.uniform {
            if lo.fract() == 0.0 && hi.fract() == 0.0 {
                AttrDraw::Int(lo as i64, hi as i64)
            } else {
                AttrDraw::Float(lo, hi)
            }
        } else {
            errors.push(invalid(format!(
                "{what} `{}` needs `values` or `uniform`",
                name.value
            )));
            continue;
        };
        out.push((name.value.clone(), draw));
    }
    out
}

/// One event's timing and effects.
fn event_draw(what: &str, e: &crate::model::EventRate, errors: &mut Vec<Diagnostic>) -> EventDraw {
    let kinds = usize::from(e.per_month.is_some())
        + usize::from(e.after.is_some())
        + usize::from(e.every.is_some());
    if kinds != 1 || e.per_month.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        errors.push(invalid(format!(
            "{what} needs exactly one of `per_month` (above 0), `after` or `every`"
        )));
    }
    if e.every.as_ref().is_some_and(|d| d.value.is_zero()) {
        errors.push(invalid(format!("{what}: `every` must be longer than 0d")));
    }
    EventDraw {
        per_month: e.per_month,
        after: e.after.as_ref().map(|a| a.value),
        every: e.every.as_ref().map(|a| a.value),
        set: e
            .set
            .iter()
            .map(|(k, v)| (k.clone(), to_dynamic(v)))
            .collect(),
        increment: e
            .increment
            .iter()
            .map(|(k, v)| (k.clone(), v.as_f64().unwrap_or(0.0)))
            .collect(),
        draw: attr_draws(&format!("{what} draw"), &e.draw, errors),
    }
}

fn all_referrals(prog: &Program) -> Vec<At> {
    prog.steps()
        .filter(|(_, s)| s.kind == StepKind::Referral && s.refer_workflow.is_some())
        .map(|(a, _)| a)
        .collect()
}

fn hint<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    crate::did_you_mean(name, candidates)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => Some(*n),
        Value::Text(t) => t.parse().ok(),
        Value::Bool(_) => None,
    }
}

/// The surroundings of one simulated case.
struct SimWorld<'a> {
    cfg: &'a Resolved,
    rng: &'a mut Rng,
    requests: &'a mut Vec<(u32, Request)>,
    slot: usize,
    generation: u64,
    /// Rule results of this replication, reused across its cases.
    memo: &'a mut Memo,
}

impl World for SimWorld<'_> {
    fn work(
        &mut self,
        case: &Case,
        token: u32,
        step: &PStep,
        date: NaiveDate,
    ) -> Option<NaiveDate> {
        let earliest = match step.duration {
            Some(r) => {
                let lo = r.min.after(date).unwrap_or(date);
                let hi = r.max.after(date).unwrap_or(lo);
                let span = (hi - lo).num_days().max(0);
                lo + chrono::Duration::days(self.rng.range(0, span))
            }
            None => date,
        };
        match step.role {
            Some(role)
                if step.effort_hours > 0.0
                    && matches!(
                        self.cfg.capacity.get(role as usize),
                        Some(Capacity::Staff(_))
                    ) =>
            {
                self.requests.push((
                    role,
                    Request {
                        slot: self.slot,
                        generation: self.generation,
                        token,
                        epoch: case.epoch(token),
                        hours: step.effort_hours,
                        earliest,
                        since: date,
                        started: None,
                    },
                ));
                None
            }
            _ => Some(earliest),
        }
    }

    fn wait(
        &mut self,
        _: &Case,
        step: &PStep,
        listening: &[(usize, &str)],
        date: NaiveDate,
    ) -> Option<(NaiveDate, usize)> {
        // A referral to a unit outside the model: its answer, drawn by share, after a drawn
        // time (`simulation.answers`); a unit without answers there never answers.
        if let Some(u) = step.refer_unit.as_deref() {
            let a = self.cfg.answers.get(u)?;
            let u = self.rng.unit();
            let name = a
                .answers
                .iter()
                .find(|(c, _)| u < *c)
                .or(a.answers.last())
                .map(|(_, n)| n.as_str())?;
            let (i, _) = listening.iter().find(|(_, n)| *n == name)?;
            let lo = a.after.min.after(date).unwrap_or(date);
            let hi = a.after.max.after(date).unwrap_or(lo);
            let span = (hi - lo).num_days().max(0);
            return Some((lo + chrono::Duration::days(self.rng.range(0, span)), *i));
        }
        let mut best: Option<(NaiveDate, usize)> = None;
        for (i, name) in listening {
            let Some(e) = self.cfg.events.get(*name) else {
                continue;
            };
            let when = match (e.per_month, e.after) {
                (Some(rate), _) => {
                    let days = self.rng.exp(DAYS_PER_MONTH / rate).min(36_500.0);
                    date + chrono::Duration::days(days.round() as i64)
                }
                (None, Some(d)) => d.after(date).unwrap_or(date),
                // `every`: scheduled on the calendar when the case starts.
                _ => continue,
            };
            if best.is_none_or(|(b, _)| when < b) {
                best = Some((when, *i));
            }
        }
        best
    }

    fn memo(&mut self) -> Option<&mut Memo> {
        Some(self.memo)
    }

    fn entered(&mut self, at: At, arende: &mut Arende) {
        let Some(draws) = self.cfg.at_steps.get(&at) else {
            return;
        };
        for (k, d) in draws {
            let v = draw(d, self.rng);
            arende.set_field(k, v);
        }
    }

    fn event(&mut self, name: &str, arende: &mut Arende) {
        let Some(e) = self.cfg.events.get(name) else {
            return;
        };
        arende.set_fields(&e.set);
        for (k, d) in &e.draw {
            let v = draw(d, self.rng);
            arende.set_field(k, v);
        }
        for (k, by) in &e.increment {
            let now = arende.get(k).unwrap_or(Dynamic::from(0_i64));
            let v = match (now.as_int(), by.fract() == 0.0) {
                (Ok(i), true) => Dynamic::from(i + *by as i64),
                _ => Dynamic::from(now.as_float().unwrap_or(0.0) + by),
            };
            arende.set_field(k, v);
        }
    }
}

struct Slot {
    case: Case,
    rng: Rng,
    horizon: NaiveDate,
    generation: u64,
    /// The arrival stream (and so the entry workflow's net) of the case.
    stream: usize,
    /// Work requests of the case waiting in a staff queue.
    queued: u32,
}

/// Simulate `opts.cases` cases of `m`, `opts.replications` times. `progress` is called now and
/// then with the number of cases finished (over all replications); `log` receives each finished
/// case of the first replication (for event logs) when `opts.record`.
pub fn simulate(
    m: &Municipality,
    sources: &SourceMap,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
    log: &mut CaseSink,
) -> Result<Report, SimError> {
    let g = Graph::build(m);
    let sem = Semantics::new(m, &g);
    let prog = &sem.prog;
    let (cfg, params) = resolve(m, prog, opts)?;
    let mut cxs = Vec::with_capacity(cfg.streams.len());
    for stream in &cfg.streams {
        let Some(net) = sem.nets[stream.entry as usize].as_ref() else {
            return Err(vec![invalid(format!(
                "the entry workflow `{}` could not be compiled",
                prog.workflows[stream.entry as usize].name
            ))]);
        };
        cxs.push(Ctx {
            prog,
            net,
            rules: &m.rules,
            inline: &m.conditions,
            params: &params,
            sources,
        });
    }
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let new_report = || {
        let mut r = Report::new(opts, prog, &cfg.capacity_list());
        r.watch_obligations(m, &g, prog);
        r.watch_figures(m, prog);
        r
    };
    let replications = opts.replications.max(1);
    let mut parts: Vec<Report> = Vec::with_capacity(replications as usize);
    if opts.record || threads == 1 || replications == 1 {
        // In order, streaming the first replication's finished cases to the log.
        let mut done = 0;
        for r in 0..replications {
            let mut part = new_report();
            let mut quiet = |_: &Ctx, _: &Case| Ok(());
            let sink: &mut CaseSink = if r == 0 { &mut *log } else { &mut quiet };
            run_replication(
                &cxs,
                &cfg,
                opts,
                r,
                &mut part,
                &mut |k| progress(done + k),
                sink,
            )?;
            done += opts.cases;
            parts.push(part);
        }
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| vec![invalid(format!("cannot start {threads} threads: {e}"))])?;
        let finished = std::sync::atomic::AtomicU64::new(0);
        let results: Vec<Result<Report, SimError>> = std::thread::scope(|scope| {
            let work = scope.spawn(|| {
                pool.install(|| {
                    (0..replications)
                        .into_par_iter()
                        .map(|r| {
                            let mut part = new_report();
                            let mut last = 0;
                            run_replication(
                                &cxs,
                                &cfg,
                                opts,
                                r,
                                &mut part,
                                &mut |k| {
                                    finished
                                        .fetch_add(k - last, std::sync::atomic::Ordering::Relaxed);
                                    last = k;
                                },
                                &mut |_, _| Ok(()),
                            )?;
                            Ok(part)
                        })
                        .collect()
                })
            });
            while !work.is_finished() {
                progress(finished.load(std::sync::atomic::Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            work.join()
                .unwrap_or_else(|_| vec![Err(vec![invalid("a simulation thread failed".into())])])
        });
        // Replications are merged in their order, whatever order they finished in.
        for part in results {
            parts.push(part?);
        }
    }
    progress(opts.cases * u64::from(replications));
    Ok(Report::combine(parts, prog))
}

/// The staff member and the hour of their working day at which `used` hours of a role's day
/// have been worked (members work their [`HOURS_PER_DAY`] one after another).
fn staff_hour(used: f64) -> (u32, f64) {
    let member = (used / HOURS_PER_DAY).floor().max(0.0);
    (
        member as u32,
        (used - member * HOURS_PER_DAY).clamp(0.0, HOURS_PER_DAY),
    )
}

/// Minutes after midnight of an hour of the working day.
fn minute_of(hour: f64) -> u16 {
    WORKDAY_START_MINUTE + (hour.clamp(0.0, HOURS_PER_DAY) * 60.0).round() as u16
}

/// What the event log of a simulation with `opts` needs besides the cases: the staff of each
/// role after `--set` and the simulated case attributes.
pub fn log_setup(m: &Municipality, opts: &Options) -> Result<log::LogSetup, SimError> {
    let g = Graph::build(m);
    let prog = Program::new(m, &g);
    let (r, _) = resolve(m, &prog, opts)?;
    // The attributes of every arrival stream, each once, in order of first appearance. An
    // attribute with a fractional value anywhere is a float in every trace (0.2 and 1.0
    // alike), so tools see one type per attribute.
    let mut attributes: Vec<String> = Vec::new();
    let mut floats: Vec<String> = Vec::new();
    for (n, d) in r.streams.iter().flat_map(|s| &s.attributes) {
        if !attributes.contains(n) {
            attributes.push(n.clone());
        }
        let float = match d {
            AttrDraw::Float(..) => true,
            AttrDraw::Int(..) => false,
            AttrDraw::Values(v) => v.iter().any(|(_, x)| x.is_float()),
        };
        if float && !floats.contains(n) {
            floats.push(n.clone());
        }
    }
    Ok(log::LogSetup {
        staff: r.capacity_list(),
        attributes,
        floats,
        name: format!("steg simulate {} (seed {})", m.name, opts.seed),
    })
}

impl Resolved {
    fn capacity_list(&self) -> Vec<Option<f64>> {
        self.capacity
            .iter()
            .map(|c| match c {
                Capacity::Staff(n) => Some(*n),
                Capacity::None => None,
            })
            .collect()
    }
}

/// The seed of replication `r`: the run's seed for the first, a derived one for the others.
fn replication_seed(seed: u64, r: u32) -> u64 {
    if r == 0 {
        seed
    } else {
        Rng::new(seed, u64::MAX - u64::from(r)).next_u64()
    }
}

/// The stream numbers of the arrival process (case streams are 0, 1, 2, ...).
const ARRIVAL_STREAM: u64 = u64::MAX;

/// One replication: `opts.cases` cases arriving one after another at the configured rate, with
/// the staff queues shared by all of them.
#[allow(clippy::too_many_arguments)]
fn run_replication(
    cxs: &[Ctx],
    cfg: &Resolved,
    opts: &Options,
    replication: u32,
    report: &mut Report,
    progress: &mut dyn FnMut(u64),
    log: &mut CaseSink,
) -> Result<(), SimError> {
    let seed = replication_seed(opts.seed, replication);
    let prog = cxs[0].prog;
    let follow = crate::Duration::months(opts.months);
    let cases = opts.cases;
    let mut slots: Vec<Option<Slot>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut wake: BinaryHeap<Reverse<(NaiveDate, usize, u64)>> = BinaryHeap::new();
    let mut queues: Vec<VecDeque<Request>> = vec![VecDeque::new(); prog.roles.len()];
    let mut requests: Vec<(u32, Request)> = Vec::new();
    // Each stream draws its arrivals from its own random stream; the first stream's first
    // case arrives on the first day.
    let mut arrivals_rng: Vec<Rng> = (0..cfg.streams.len())
        .map(|k| Rng::new(seed, ARRIVAL_STREAM - k as u64))
        .collect();
    let mut next_arrival: Vec<Option<NaiveDate>> = cfg
        .streams
        .iter()
        .enumerate()
        .map(|(k, st)| {
            if k == 0 && st.rate_on(cfg.start) > 0.0 {
                Some(cfg.start)
            } else {
                st.next_after(cfg.start, &mut arrivals_rng[k])
            }
        })
        .collect();
    let due = |next: &[Option<NaiveDate>]| -> Option<(NaiveDate, usize)> {
        next.iter()
            .enumerate()
            .filter_map(|(k, d)| d.map(|d| (d, k)))
            .filter(|(d, _)| opts.until.is_none_or(|u| *d <= u))
            .min()
    };
    let mut arrived: u64 = 0;
    let mut generation: u64 = 0;
    let mut sink = Sink {
        report,
        kpi: &cfg.kpi,
        cxs,
        log,
        record: opts.record,
        finished: 0,
    };
    let mut day = cfg.start;
    let mut last_queue_day: Option<NaiveDate> = None;
    let mut memo = Memo::new();

    loop {
        // The next day anything happens: an arrival, a case's agenda, or work in a queue.
        let queued = queues.iter().any(|q| !q.is_empty());
        let mut next = if arrived < cases {
            due(&next_arrival).map(|(d, _)| d)
        } else {
            None
        };
        if let Some(Reverse((d, _, _))) = wake.peek() {
            next = Some(next.map_or(*d, |n: NaiveDate| n.min(*d)));
        }
        if queued {
            let tomorrow = last_queue_day.map_or(day, |d| d.succ_opt().unwrap_or(d));
            next = Some(next.map_or(tomorrow, |n| n.min(tomorrow)));
        }
        let Some(today) = next else { break };
        day = today.max(day);

        // Arrivals.
        while arrived < cases {
            let Some((when, k)) = due(&next_arrival).filter(|(d, _)| *d <= day) else {
                break;
            };
            let stream = &cfg.streams[k];
            let cx = &cxs[k];
            let number = arrived;
            arrived += 1;
            let mut rng = Rng::new(seed, number);
            let arende = draw_case(stream, &mut rng, number);
            let mut case = Case::new(format!("c{number}"), arende, false);
            if opts.record {
                case.record_moves();
            }
            let mut horizon = follow.after(when).unwrap_or(when);
            if let Some(u) = opts.until {
                horizon = horizon.min(u);
            }
            // Events on a calendar (`every`), from the day the case starts.
            for (name, e) in &cfg.events {
                let Some(period) = e.every else { continue };
                let schedule = crate::Schedule {
                    anchor: when,
                    period,
                };
                let mut n = 1;
                while let Some(d) = schedule.due(n) {
                    if d > horizon {
                        break;
                    }
                    case.schedule_external(
                        d,
                        External {
                            name: Some(name.clone()),
                            set: Vec::new(),
                        },
                    );
                    n += 1;
                }
            }
            generation += 1;
            let slot = free.pop().unwrap_or_else(|| {
                slots.push(None);
                slots.len() - 1
            });
            {
                let mut world = SimWorld {
                    cfg,
                    rng: &mut rng,
                    requests: &mut requests,
                    slot,
                    generation,
                    memo: &mut memo,
                };
                case.start(cx, &mut world, when);
            }
            sink.report.started(&case, when);
            slots[slot] = Some(Slot {
                case,
                rng,
                horizon,
                generation,
                stream: k,
                queued: 0,
            });
            // Its first moves happen in the day's loop below.
            wake.push(Reverse((when, slot, generation)));
            next_arrival[k] = stream.next_after(when, &mut arrivals_rng[k]);
            if next_arrival[k].is_none() && stream.rate_on(when) > 0.0 {
                return Err(vec![invalid(
                    "the arrivals run past the end of the calendar".into(),
                )]);
            }
        }

        // Cases whose agenda has something today, in wake-up order; their work requests join
        // the queues in that order.
        while let Some(Reverse((d, slot, gen))) = wake.peek().cloned() {
            if d > day {
                break;
            }
            wake.pop();
            let Some(s) = slots[slot]
                .as_mut()
                .filter(|s| s.generation == gen && s.case.next_date() == Some(d))
            else {
                continue; // a stale wake-up
            };
            let until = day.min(s.horizon);
            let mut world = SimWorld {
                cfg,
                rng: &mut s.rng,
                requests: &mut requests,
                slot,
                generation: gen,
                memo: &mut memo,
            };
            s.case.run_until(&cxs[s.stream], &mut world, until);
            let asked = requests
                .iter()
                .any(|(_, r)| r.slot == slot && r.generation == gen);
            settle(&mut slots, slot, asked, &mut wake, &mut free, &mut sink)?;
        }

        // New work joins the queues in the order it arose (case by case, deterministic).
        for (role, r) in requests.drain(..) {
            if let Some(s) = slots[r.slot]
                .as_mut()
                .filter(|s| s.generation == r.generation)
            {
                s.queued += 1;
            }
            queues[role as usize].push_back(r);
        }
        // Staff work today (weekdays), once a day. Weekdays the loop skipped had empty queues:
        // their hours were available and idle.
        if last_queue_day != Some(day) {
            if let Some(last) = last_queue_day {
                let mut d = last.succ_opt().unwrap_or(day);
                while d < day {
                    if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                        for (role, c) in cfg.capacity.iter().enumerate() {
                            if let Capacity::Staff(staff) = c {
                                sink.report.queue_sample(role, 0, true);
                                sink.report.worked(role, 0.0, staff * HOURS_PER_DAY);
                            }
                        }
                    }
                    d = d.succ_opt().unwrap_or(day);
                }
            }
            let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            for (role, q) in queues.iter_mut().enumerate() {
                let Capacity::Staff(staff) = cfg.capacity[role] else {
                    continue;
                };
                let mut capacity = if weekday { staff * HOURS_PER_DAY } else { 0.0 };
                let available = capacity;
                sink.report.queue_sample(role, q.len(), weekday);
                while capacity > 1e-9 {
                    let Some(front) = q.front_mut() else { break };
                    let take = front.hours.min(capacity);
                    // The staff members work one after another through the day's hours: the
                    // hours used so far say whose day and which hour of it this work falls in.
                    if front.started.is_none() {
                        let (member, hour) = staff_hour(available - capacity);
                        front.started = Some((day, member, hour));
                    }
                    front.hours -= take;
                    capacity -= take;
                    if front.hours <= 1e-9 {
                        let Some(r) = q.pop_front() else { break };
                        sink.report.waited(role, (day - r.since).num_days());
                        if let Some(s) = slots[r.slot]
                            .as_mut()
                            .filter(|s| s.generation == r.generation)
                        {
                            s.queued = s.queued.saturating_sub(1);
                            let (start, member, hour) = r.started.unwrap_or((day, 0, 0.0));
                            // A request is worked in one piece a day: it ends `take` hours
                            // after it started today, or after the start of today's work.
                            let end = if start == day { hour + take } else { take };
                            let work = crate::run::case::Work {
                                start,
                                member,
                                start_minute: minute_of(hour),
                                end_minute: minute_of(end),
                            };
                            s.case
                                .finish_work_by(r.token, r.epoch, r.earliest.max(day), work);
                            if let Some(d) = s.case.next_date() {
                                wake.push(Reverse((d, r.slot, r.generation)));
                            }
                        }
                    }
                }
                sink.report.worked(role, available - capacity, available);
            }
            last_queue_day = Some(day);
        }
        progress(sink.finished);
        if (arrived >= cases || due(&next_arrival).is_none())
            && wake.is_empty()
            && queues.iter().all(|q| q.is_empty())
        {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
    }
    // Cases still open at the end of their follow-up (or waiting in a queue past it) are folded
    // as they are.
    for s in slots.iter_mut().filter_map(Option::take) {
        sink.fold(s)?;
    }
    sink.report.rule_calls_memoised += memo.hits;
    sink.report.rule_calls_evaluated += memo.misses;
    progress(sink.finished);
    Ok(())
}

/// Where finished cases go: the report and, when asked, the event log.
struct Sink<'a, 'b, 'c> {
    report: &'a mut Report,
    kpi: &'a KpiSteps,
    /// The context of each arrival stream.
    cxs: &'a [Ctx<'c>],
    log: &'a mut CaseSink<'b>,
    record: bool,
    finished: u64,
}

impl Sink<'_, '_, '_> {
    /// Fold a finished (or followed-to-its-horizon) case into the report and the log.
    fn fold(&mut self, s: Slot) -> Result<(), SimError> {
        let cx = &self.cxs[s.stream];
        self.report.finished(&s.case, self.kpi, cx, s.horizon);
        if self.record {
            (self.log)(cx, &s.case)
                .map_err(|e| vec![invalid(format!("writing the event log: {e}"))])?;
        }
        self.finished += 1;
        Ok(())
    }
}

/// After a case ran: fold it if it is closed, stuck with nothing left to do, or past its
/// follow-up with no work waiting for staff; else schedule its next wake-up. A case with work
/// in a staff queue is kept (finishing the work wakes it), even when the next thing on its own
/// agenda lies past its follow-up. A case with nothing on its agenda that is still open waits
/// for something from outside that never comes (folded at the end of the run as waiting).
fn settle(
    slots: &mut [Option<Slot>],
    slot: usize,
    asked: bool,
    wake: &mut BinaryHeap<Reverse<(NaiveDate, usize, u64)>>,
    free: &mut Vec<usize>,
    sink: &mut Sink,
) -> Result<(), SimError> {
    let Some(s) = slots[slot].as_ref() else {
        return Ok(());
    };
    let next = s.case.next_date();
    let waits_for_staff = asked || s.queued > 0;
    if !s.case.open() || (next.is_some_and(|d| d > s.horizon) && !waits_for_staff) {
        if let Some(s) = slots[slot].take() {
            sink.fold(s)?;
        }
        free.push(slot);
    } else if let Some(d) = next.filter(|d| *d <= s.horizon) {
        wake.push(Reverse((d, slot, s.generation)));
    }
    Ok(())
}

fn draw_case(stream: &Stream, rng: &mut Rng, number: u64) -> Arende {
    let mut values: BTreeMap<String, Dynamic> = stream.constants.iter().cloned().collect();
    for (name, d) in &stream.attributes {
        values.insert(name.clone(), draw(d, rng));
    }
    Arende::new(format!("c{number}"), values)
}

/// One draw of an attribute.
fn draw(d: &AttrDraw, rng: &mut Rng) -> Dynamic {
    match d {
        AttrDraw::Values(cum) => {
            let u = rng.unit();
            cum.iter()
                .find(|(c, _)| u < *c)
                .or(cum.last())
                .map(|(_, v)| v.clone())
                .unwrap_or(Dynamic::UNIT)
        }
        AttrDraw::Int(lo, hi) => Dynamic::from(rng.range(*lo, *hi)),
        AttrDraw::Float(lo, hi) => Dynamic::from(lo + rng.unit() * (hi - lo)),
    }
}

/// Check that `sim` is well-formed without running (used by tests and `steg check` later).
pub fn validate(m: &Municipality, opts: &Options) -> Result<(), SimError> {
    let g = Graph::build(m);
    let prog = Program::new(m, &g);
    resolve(m, &prog, opts).map(|_| ())
}
