//! `steg simulate`: many cases drawn from `municipality.yaml`'s `simulation:` inputs, routed by
//! the same workflows and rules as `steg run`, with staff capacity: a step with an `effort` takes
//! its actor's time, each role has `staff` people working 8 hours on weekdays, and work waits in
//! a first-come queue when they are busy.
//!
//! Reproducible: every case draws from its own random stream (seed, case number) and cases are
//! handled in a fixed order, so the same seed gives the same report whatever the thread count.
//! Memory stays flat in the number of cases: a case is folded into the KPIs when it closes.

pub mod log;
mod report;
mod rng;

pub use report::{Dist, Report, RoleStats};
pub use rng::Rng;

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::eval::{to_dynamic, Arende};
use crate::graph::Graph;
use crate::model::{StepKind, Value};
use crate::municipality::Municipality;
use crate::run::case::{Case, Ctx, World};
use crate::run::program::{At, PStep, Program};
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

/// Receives each finished case (for event logs).
pub type CaseSink<'a> = dyn FnMut(&Program, &Case) -> std::io::Result<()> + 'a;

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Number of cases.
    pub cases: u64,
    /// Seed of every random draw.
    pub seed: u64,
    /// How long each case is followed, in months.
    pub months: u32,
    /// Overrides: `roles.NAME.staff=N`, `parameters.NAME=V`, `simulation.arrivals_per_month=N`.
    pub set: Vec<(String, String)>,
    /// Keep each case's step visits for an event log.
    pub record: bool,
    /// Worker threads (0: one per core). The result does not depend on it.
    pub threads: usize,
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
}

struct Resolved {
    start: NaiveDate,
    arrivals_per_month: f64,
    constants: Vec<(String, Dynamic)>,
    attributes: Vec<(String, AttrDraw)>,
    events: HashMap<String, EventDraw>,
    staff: HashMap<String, f64>,
    role_names: Vec<String>,
    kpi: KpiSteps,
}

enum AttrDraw {
    Values(Vec<(f64, Dynamic)>),
    Int(i64, i64),
    Float(f64, f64),
}

struct EventDraw {
    per_month: Option<f64>,
    after: Option<crate::Duration>,
    set: Vec<(String, Dynamic)>,
    increment: Vec<(String, f64)>,
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
    Diagnostic::new(&codes::INVALID_VALUE, None, msg)
}

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
            "{} has no `simulation:` in municipality.yaml: arrivals, case attributes and event rates are needed to draw cases",
            m.dir.display()
        ))]);
    };
    let mut errors = Vec::new();
    let start = parse_date(&sim.start.value).map_err(|e| vec![invalid(e)])?;
    let mut staff: HashMap<String, f64> = def
        .roles
        .iter()
        .filter_map(|(k, r)| r.staff.as_ref().map(|s| (k.value.clone(), s.value)))
        .collect();
    let mut arrivals = number(&sim.arrivals_per_month.value.value).unwrap_or(0.0);
    let mut params = m.params.clone();
    for (key, value) in &opts.set {
        let parts: Vec<&str> = key.split('.').collect();
        match parts.as_slice() {
            ["roles", role, "staff"] => match value.parse::<f64>() {
                Ok(v) if v >= 0.0 && def.roles.contains(role) => {
                    staff.insert(role.to_string(), v);
                }
                Ok(_) if !def.roles.contains(role) => errors.push(invalid(format!("--set {key}: no role `{role}`{}", hint(role, def.roles.keys())))),
                _ => errors.push(invalid(format!("--set {key}={value}: staff must be a number of people, 0 or more"))),
            },
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
                Ok(v) if v > 0.0 => arrivals = v,
                _ => errors.push(invalid(format!("--set {key}={value}: arrivals must be a positive number"))),
            },
            _ => errors.push(invalid(format!(
                "--set {key}: not a knob; use roles.ROLE.staff=N, parameters.NAME=VALUE or simulation.arrivals_per_month=N"
            ))),
        }
    }
    if arrivals <= 0.0 {
        errors.push(invalid(
            "simulation.arrivals_per_month must be a positive number".into(),
        ));
    }
    let mut attributes = Vec::new();
    for (name, a) in sim.attributes.iter() {
        let draw = if !a.values.is_empty() {
            let total: f64 = a.values.iter().map(|s| s.share.value).sum();
            if (total - 1.0).abs() > 1e-6 || a.values.iter().any(|s| s.share.value < 0.0) {
                errors.push(invalid(format!("simulation attribute `{}`: shares must be 0 or more and sum to 1 (they sum to {total})", name.value)));
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
                "simulation attribute `{}` needs `values` or `uniform`",
                name.value
            )));
            continue;
        };
        attributes.push((name.value.clone(), draw));
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
        if e.per_month.is_none() == e.after.is_none() || e.per_month.is_some_and(|r| r <= 0.0) {
            errors.push(invalid(format!(
                "simulation event `{}` needs exactly one of `per_month` (above 0) or `after`",
                name.value
            )));
        }
        events.insert(
            name.value.clone(),
            EventDraw {
                per_month: e.per_month,
                after: e.after.as_ref().map(|a| a.value),
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
            },
        );
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
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut role_names: Vec<String> = staff.keys().cloned().collect();
    role_names.sort();
    Ok((
        Resolved {
            start,
            arrivals_per_month: arrivals,
            constants: sim
                .constants
                .iter()
                .map(|(k, v)| (k.clone(), to_dynamic(v)))
                .collect(),
            attributes,
            events,
            staff,
            role_names,
            kpi,
        },
        params,
    ))
}

fn all_referrals(prog: &Program) -> Vec<At> {
    let mut out = Vec::new();
    for (wi, w) in prog.workflows.iter().enumerate() {
        for (si, s) in w.steps.iter().enumerate() {
            if s.kind == StepKind::Referral && s.refer_workflow.is_some() {
                out.push(At {
                    w: wi as u32,
                    s: si as u32,
                });
            }
        }
    }
    out
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
    requests: &'a mut Vec<(String, Request)>,
    slot: usize,
    generation: u64,
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
        match &step.actor {
            Some(role)
                if step.effort_hours > 0.0
                    && self.cfg.staff.get(role).is_some_and(|s| *s > 0.0) =>
            {
                self.requests.push((
                    role.clone(),
                    Request {
                        slot: self.slot,
                        generation: self.generation,
                        token,
                        epoch: case.epoch(token),
                        hours: step.effort_hours,
                        earliest,
                        since: date,
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
        _: &PStep,
        listening: &[(usize, &str)],
        date: NaiveDate,
    ) -> Option<(NaiveDate, usize)> {
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
                _ => continue,
            };
            if best.is_none_or(|(b, _)| when < b) {
                best = Some((when, *i));
            }
        }
        best
    }

    fn event(&mut self, name: &str, arende: &Arende) -> Option<Arende> {
        let e = self.cfg.events.get(name)?;
        if e.set.is_empty() && e.increment.is_empty() {
            return None;
        }
        let mut set = e.set.clone();
        for (k, by) in &e.increment {
            let now = arende.get(k).unwrap_or(Dynamic::from(0_i64));
            let v = match (now.as_int(), by.fract() == 0.0) {
                (Ok(i), true) => Dynamic::from(i + *by as i64),
                _ => Dynamic::from(now.as_float().unwrap_or(0.0) + by),
            };
            set.push((k.clone(), v));
        }
        Some(arende.with_fields(&set))
    }
}

struct Slot {
    case: Case,
    rng: Rng,
    horizon: NaiveDate,
    generation: u64,
}

/// Simulate `opts.cases` cases of `m`. `progress` is called now and then with the number of
/// cases finished; `log` receives each finished case (for event logs) when `opts.record`.
pub fn simulate(
    m: &Municipality,
    sources: &SourceMap,
    opts: &Options,
    progress: &mut dyn FnMut(u64),
    log: &mut CaseSink,
) -> Result<Report, SimError> {
    let g = Graph::build(m);
    let prog = Program::new(m, &g);
    let (cfg, params) = resolve(m, &prog, opts)?;
    let Some(&entry) = prog.entries.first() else {
        return Err(vec![invalid("no entry workflow".into())]);
    };
    let cx = Ctx {
        prog: &prog,
        rules: &m.rules,
        inline: &m.conditions,
        params: &params,
        sources,
    };
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let shards: Vec<(u64, std::ops::Range<u64>)> = (0..opts.cases.div_ceil(SHARD))
        .map(|i| (i, i * SHARD..((i + 1) * SHARD).min(opts.cases)))
        .collect();
    let new_report = || {
        let mut r = Report::new(opts, &cfg.role_names, &cfg.staff);
        r.watch_obligations(m, &g, &prog);
        r
    };
    let mut report = new_report();
    if opts.record || threads == 1 || shards.len() == 1 {
        // In order, streaming finished cases to the log.
        let mut done = 0;
        for (i, range) in &shards {
            let mut part = new_report();
            let n = range.end - range.start;
            run_shard(
                &cx,
                &cfg,
                opts,
                entry,
                *i,
                range.clone(),
                &mut part,
                &mut |k| progress(done + k),
                log,
            )?;
            done += n;
            report.merge(part);
        }
    } else {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| vec![invalid(format!("cannot start {threads} threads: {e}"))])?;
        let finished = std::sync::atomic::AtomicU64::new(0);
        let parts: Vec<Result<Report, SimError>> = std::thread::scope(|scope| {
            let work = scope.spawn(|| {
                pool.install(|| {
                    shards
                        .par_iter()
                        .map(|(i, range)| {
                            let mut part = new_report();
                            let mut last = 0;
                            run_shard(
                                &cx,
                                &cfg,
                                opts,
                                entry,
                                *i,
                                range.clone(),
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
        // Shards are merged in their order, whatever order they finished in.
        for part in parts {
            report.merge(part?);
        }
    }
    progress(opts.cases);
    report.finish(&prog);
    Ok(report)
}

/// Cases per shard. A shard is an independent run of the calendar from the start date with
/// its own queues; shards run in parallel and are merged in order, so the result depends on
/// the seed and the number of cases, never on the number of threads.
pub const SHARD: u64 = 5_000;

/// Simulate the cases numbered `range` (shard `index`) into `report`.
#[allow(clippy::too_many_arguments)]
fn run_shard(
    cx: &Ctx,
    cfg: &Resolved,
    opts: &Options,
    entry: u32,
    index: u64,
    range: std::ops::Range<u64>,
    report: &mut Report,
    progress: &mut dyn FnMut(u64),
    log: &mut CaseSink,
) -> Result<(), SimError> {
    let (cfg, prog) = (cfg, cx.prog);
    let follow = crate::Duration::months(opts.months);
    let cases = range.end - range.start;
    let mut slots: Vec<Option<Slot>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut wake: BinaryHeap<Reverse<(NaiveDate, usize, u64)>> = BinaryHeap::new();
    let mut queues: BTreeMap<String, VecDeque<Request>> = cfg
        .role_names
        .iter()
        .map(|r| (r.clone(), VecDeque::new()))
        .collect();
    let mut requests: Vec<(String, Request)> = Vec::new();
    let mut arrivals_rng = Rng::new(opts.seed, u64::MAX - index);
    let mut next_arrival = cfg.start;
    let mut arrived: u64 = 0;
    let mut generation: u64 = 0;
    let mut sink = Sink {
        report,
        kpi: &cfg.kpi,
        prog,
        log,
        record: opts.record,
        finished: 0,
    };
    let mut day = cfg.start;
    let mut last_queue_day = cfg.start;

    loop {
        // The next day anything happens: an arrival, a case's agenda, or work in a queue.
        let queued = queues.values().any(|q| !q.is_empty());
        let mut next = if arrived < cases {
            Some(next_arrival)
        } else {
            None
        };
        if let Some(Reverse((d, _, _))) = wake.peek() {
            next = Some(next.map_or(*d, |n: NaiveDate| n.min(*d)));
        }
        if queued {
            let tomorrow = last_queue_day.succ_opt().unwrap_or(last_queue_day);
            next = Some(next.map_or(tomorrow, |n| n.min(tomorrow)));
        }
        let Some(today) = next else { break };
        day = today.max(day);

        // Arrivals.
        while arrived < cases && next_arrival <= day {
            let number = range.start + arrived;
            arrived += 1;
            let mut rng = Rng::new(opts.seed, number);
            let arende = draw_case(cfg, &mut rng, number);
            let mut case = Case::new(format!("c{number}"), arende, false);
            generation += 1;
            let slot = free.pop().unwrap_or_else(|| {
                slots.push(None);
                slots.len() - 1
            });
            let horizon = follow.after(next_arrival).unwrap_or(next_arrival);
            {
                let mut world = SimWorld {
                    cfg,
                    rng: &mut rng,
                    requests: &mut requests,
                    slot,
                    generation,
                };
                case.start(cx, &mut world, entry, next_arrival);
            }
            sink.report.started(&case, next_arrival);
            slots[slot] = Some(Slot {
                case,
                rng,
                horizon,
                generation,
            });
            settle(&mut slots, slot, &mut wake, &mut free, &mut sink)?;
            let gap = arrivals_rng.exp(DAYS_PER_MONTH / cfg.arrivals_per_month);
            next_arrival += chrono::Duration::days(gap.round() as i64);
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
            };
            s.case.run_until(cx, &mut world, until);
            settle(&mut slots, slot, &mut wake, &mut free, &mut sink)?;
        }

        // New work joins the queues in the order it arose (case by case, deterministic).
        for (role, r) in requests.drain(..) {
            if let Some(q) = queues.get_mut(&role) {
                q.push_back(r);
            }
        }
        // Staff work today (weekdays).
        if day > last_queue_day || !queued {
            let weekday = !matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
            for (role, q) in queues.iter_mut() {
                let staff = cfg.staff.get(role).copied().unwrap_or(0.0);
                let mut capacity = if weekday { staff * HOURS_PER_DAY } else { 0.0 };
                let available = capacity;
                sink.report.queue_sample(role, q.len(), weekday);
                while capacity > 1e-9 {
                    let Some(front) = q.front_mut() else { break };
                    let take = front.hours.min(capacity);
                    front.hours -= take;
                    capacity -= take;
                    if front.hours <= 1e-9 {
                        let Some(r) = q.pop_front() else { break };
                        sink.report.waited(role, (day - r.since).num_days());
                        if let Some(s) = slots[r.slot]
                            .as_mut()
                            .filter(|s| s.generation == r.generation)
                        {
                            s.case.finish_work(r.token, r.epoch, r.earliest.max(day));
                            if let Some(d) = s.case.next_date() {
                                wake.push(Reverse((d, r.slot, r.generation)));
                            }
                        }
                    }
                }
                sink.report.worked(role, available - capacity, available);
            }
            last_queue_day = day;
        }
        progress(sink.finished);
        if arrived >= cases && wake.is_empty() && queues.values().all(|q| q.is_empty()) {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
    }
    // Cases still open at the end of their follow-up were settled at their horizon; anything
    // left (waiting in a queue past the horizon) is counted as open.
    for s in slots.iter_mut().filter_map(Option::take) {
        sink.fold(s)?;
    }
    progress(sink.finished);
    Ok(())
}

/// Where finished cases go: the report and, when asked, the event log.
struct Sink<'a, 'b> {
    report: &'a mut Report,
    kpi: &'a KpiSteps,
    prog: &'a Program,
    log: &'a mut CaseSink<'b>,
    record: bool,
    finished: u64,
}

impl Sink<'_, '_> {
    /// Fold a finished (or followed-to-its-horizon) case into the report and the log.
    fn fold(&mut self, s: Slot) -> Result<(), SimError> {
        self.report
            .finished(&s.case, self.kpi, self.prog, s.horizon);
        if self.record {
            (self.log)(self.prog, &s.case)
                .map_err(|e| vec![invalid(format!("writing the event log: {e}"))])?;
        }
        self.finished += 1;
        Ok(())
    }
}

/// After a case ran: fold it if it is closed or past its follow-up, else schedule its next
/// wake-up. A case with nothing on its agenda that is still open waits for staff; finishing
/// the work wakes it.
fn settle(
    slots: &mut [Option<Slot>],
    slot: usize,
    wake: &mut BinaryHeap<Reverse<(NaiveDate, usize, u64)>>,
    free: &mut Vec<usize>,
    sink: &mut Sink,
) -> Result<(), SimError> {
    let Some(s) = slots[slot].as_ref() else {
        return Ok(());
    };
    let next = s.case.next_date();
    if !s.case.open() || next.is_some_and(|d| d > s.horizon) {
        if let Some(s) = slots[slot].take() {
            sink.fold(s)?;
        }
        free.push(slot);
    } else if let Some(d) = next {
        wake.push(Reverse((d, slot, s.generation)));
    }
    Ok(())
}

fn draw_case(cfg: &Resolved, rng: &mut Rng, number: u64) -> Arende {
    let mut values: BTreeMap<String, Dynamic> = cfg.constants.iter().cloned().collect();
    for (name, draw) in &cfg.attributes {
        let v = match draw {
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
        };
        values.insert(name.clone(), v);
    }
    Arende::new(format!("c{number}"), values)
}

/// Check that `sim` is well-formed without running (used by tests and `steg check` later).
pub fn validate(m: &Municipality, opts: &Options) -> Result<(), SimError> {
    let g = Graph::build(m);
    let prog = Program::new(m, &g);
    resolve(m, &prog, opts).map(|_| ())
}
