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
mod report;
mod rng;

pub use report::{Dist, Estimate, Report, RoleStats, StuckCount, WaitingCount};
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
    /// Keep each case's moves for an event log.
    pub record: bool,
    /// Worker threads (0: one per core). The result does not depend on it.
    pub threads: usize,
    /// Independent replications (1 or more), each a seeded copy of the whole run.
    pub replications: u32,
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
    arrivals_per_month: f64,
    constants: Vec<(String, Dynamic)>,
    attributes: Vec<(String, AttrDraw)>,
    events: HashMap<String, EventDraw>,
    /// Capacity per role, indexed like `Program::roles`.
    capacity: Vec<Capacity>,
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
    every: Option<crate::Duration>,
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
            _ => errors.push(invalid(format!(
                "--set {key}: not a knob; use roles.ROLE.staff=N, parameters.NAME=VALUE or simulation.arrivals_per_month=N"
            ))),
        }
    }
    if !(arrivals > 0.0 && arrivals.is_finite()) {
        errors.push(invalid(
            "simulation.arrivals_per_month must be a positive number".into(),
        ));
    } else if opts.cases as f64 / arrivals + f64::from(opts.months) > MAX_SPAN_MONTHS {
        errors.push(invalid(format!(
            "{} cases at {arrivals} a month would arrive over {:.0} months; steg simulates at most {MAX_SPAN_MONTHS} months (raise arrivals_per_month or simulate fewer cases)",
            opts.cases,
            opts.cases as f64 / arrivals
        )));
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
        if prog
            .event(&name.value)
            .is_some_and(|i| prog.events[i as usize].internal)
        {
            errors.push(invalid(format!(
                "simulation event `{}` is raised by a step of the case (`emits:`); the simulated world cannot also send it",
                name.value
            )));
        }
        let kinds = usize::from(e.per_month.is_some())
            + usize::from(e.after.is_some())
            + usize::from(e.every.is_some());
        if kinds != 1 || e.per_month.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
            errors.push(invalid(format!(
                "simulation event `{}` needs exactly one of `per_month` (above 0), `after` or `every`",
                name.value
            )));
        }
        if e.every.as_ref().is_some_and(|d| d.value.is_zero()) {
            errors.push(invalid(format!(
                "simulation event `{}`: `every` must be longer than 0d",
                name.value
            )));
        }
        events.insert(
            name.value.clone(),
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
    if opts.replications == 0 {
        errors.push(invalid("--replications must be at least 1".into()));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
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
            capacity,
            kpi,
        },
        params,
    ))
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
    let Some(&entry) = prog.entries.first() else {
        return Err(vec![invalid("no entry workflow".into())]);
    };
    let Some(net) = sem.nets[entry as usize].as_ref() else {
        return Err(vec![invalid(
            "the entry workflow could not be compiled".into(),
        )]);
    };
    let cx = Ctx {
        prog,
        net,
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
    let new_report = || {
        let mut r = Report::new(opts, prog, &cfg.capacity_list());
        r.watch_obligations(m, &g, prog);
        r
    };
    let replications = opts.replications.max(1);
    let mut parts: Vec<Report> = Vec::with_capacity(replications as usize);
    if opts.record || threads == 1 || replications == 1 {
        // In order, streaming the first replication's finished cases to the log.
        let mut done = 0;
        for r in 0..replications {
            let mut part = new_report();
            let mut quiet = |_: &Program, _: &Case| Ok(());
            let sink: &mut CaseSink = if r == 0 { &mut *log } else { &mut quiet };
            run_replication(
                &cx,
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
                                &cx,
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
    cx: &Ctx,
    cfg: &Resolved,
    opts: &Options,
    replication: u32,
    report: &mut Report,
    progress: &mut dyn FnMut(u64),
    log: &mut CaseSink,
) -> Result<(), SimError> {
    let seed = replication_seed(opts.seed, replication);
    let prog = cx.prog;
    let follow = crate::Duration::months(opts.months);
    let cases = opts.cases;
    let mut slots: Vec<Option<Slot>> = Vec::new();
    let mut free: Vec<usize> = Vec::new();
    let mut wake: BinaryHeap<Reverse<(NaiveDate, usize, u64)>> = BinaryHeap::new();
    let mut queues: Vec<VecDeque<Request>> = vec![VecDeque::new(); prog.roles.len()];
    let mut requests: Vec<(u32, Request)> = Vec::new();
    let mut arrivals_rng = Rng::new(seed, ARRIVAL_STREAM);
    let mut next_arrival = cfg.start;
    let mut arrived: u64 = 0;
    let mut generation: u64 = 0;
    let mut sink = Sink {
        report,
        kpi: &cfg.kpi,
        cx,
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
            Some(next_arrival)
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
        while arrived < cases && next_arrival <= day {
            let number = arrived;
            arrived += 1;
            let mut rng = Rng::new(seed, number);
            let arende = draw_case(cfg, &mut rng, number);
            let mut case = Case::new(format!("c{number}"), arende, false);
            if opts.record {
                case.record_moves();
            }
            let horizon = follow.after(next_arrival).unwrap_or(next_arrival);
            // Events on a calendar (`every`), from the day the case starts.
            for (name, e) in &cfg.events {
                let Some(period) = e.every else { continue };
                let schedule = crate::Schedule {
                    anchor: next_arrival,
                    period,
                };
                let mut k = 1;
                while let Some(d) = schedule.due(k) {
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
                    k += 1;
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
                case.start(cx, &mut world, next_arrival);
            }
            sink.report.started(&case, next_arrival);
            slots[slot] = Some(Slot {
                case,
                rng,
                horizon,
                generation,
            });
            // Its first moves happen in the day's loop below.
            wake.push(Reverse((next_arrival, slot, generation)));
            let gap = arrivals_rng.exp(DAYS_PER_MONTH / cfg.arrivals_per_month);
            next_arrival = next_arrival
                .checked_add_signed(chrono::Duration::days(gap.round() as i64))
                .ok_or_else(|| {
                    vec![invalid(
                        "the arrivals run past the end of the calendar".into(),
                    )]
                })?;
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
            s.case.run_until(cx, &mut world, until);
            settle(&mut slots, slot, &mut wake, &mut free, &mut sink)?;
        }

        // New work joins the queues in the order it arose (case by case, deterministic).
        for (role, r) in requests.drain(..) {
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
            last_queue_day = Some(day);
        }
        progress(sink.finished);
        if arrived >= cases && wake.is_empty() && queues.iter().all(|q| q.is_empty()) {
            break;
        }
        day = day.succ_opt().unwrap_or(day);
    }
    // Cases still open at the end of their follow-up (or waiting in a queue past it) are folded
    // as they are.
    for s in slots.iter_mut().filter_map(Option::take) {
        sink.fold(s)?;
    }
    progress(sink.finished);
    Ok(())
}

/// Where finished cases go: the report and, when asked, the event log.
struct Sink<'a, 'b, 'c> {
    report: &'a mut Report,
    kpi: &'a KpiSteps,
    cx: &'a Ctx<'c>,
    log: &'a mut CaseSink<'b>,
    record: bool,
    finished: u64,
}

impl Sink<'_, '_, '_> {
    /// Fold a finished (or followed-to-its-horizon) case into the report and the log.
    fn fold(&mut self, s: Slot) -> Result<(), SimError> {
        self.report.finished(&s.case, self.kpi, self.cx, s.horizon);
        if self.record {
            (self.log)(self.cx.prog, &s.case)
                .map_err(|e| vec![invalid(format!("writing the event log: {e}"))])?;
        }
        self.finished += 1;
        Ok(())
    }
}

/// After a case ran: fold it if it is closed, stuck with nothing left to do, or past its
/// follow-up; else schedule its next wake-up. A case with nothing on its agenda that is still
/// open waits for staff (finishing the work wakes it) or for something from outside that
/// never comes (folded at the end of the run as waiting).
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
