//! KPIs of a simulation, accumulated case by case in fixed memory (histograms, counters).

use super::{KpiSteps, Options};
use crate::run::case::{Case, Ctx};
use crate::semantics::program::{At, Program};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;

const MAX_DAYS: usize = 3_650;

/// A distribution of whole days, kept as a histogram (ten years, the last bucket open-ended).
#[derive(Debug, Clone, PartialEq)]
struct Hist(Vec<u64>);

impl Hist {
    fn new() -> Hist {
        Hist(vec![0; MAX_DAYS + 1])
    }
    fn add(&mut self, days: i64) {
        self.0[(days.max(0) as usize).min(MAX_DAYS)] += 1;
    }
    fn dist(&self) -> Dist {
        let count: u64 = self.0.iter().sum();
        let quantile = |q: f64| {
            if count == 0 {
                return None;
            }
            let rank = ((count as f64) * q).ceil().max(1.0) as u64;
            let mut seen = 0;
            self.0
                .iter()
                .position(|n| {
                    seen += n;
                    seen >= rank
                })
                .map(|d| d as u64)
        };
        let sum: u64 = self.0.iter().enumerate().map(|(d, n)| d as u64 * n).sum();
        Dist {
            count,
            median: quantile(0.5),
            p90: quantile(0.9),
            mean: (count > 0).then(|| round1(sum as f64 / count as f64)),
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Days: how many cases, median, 90th percentile and mean.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Dist {
    /// Cases measured.
    pub count: u64,
    /// Median in days.
    pub median: Option<u64>,
    /// 90th percentile in days.
    pub p90: Option<u64>,
    /// Mean in days (one decimal).
    pub mean: Option<f64>,
}

/// A count out of a total.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Part {
    /// How many.
    pub count: u64,
    /// Out of.
    pub of: u64,
    /// count / of (three decimals).
    pub share: Option<f64>,
}

fn part(count: u64, of: u64) -> Part {
    Part {
        count,
        of,
        share: (of > 0).then(|| round3(count as f64 / of as f64)),
    }
}

/// Deadline keeping of one step with `within`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct DeadlineStats {
    /// `workflow.step`.
    pub step: String,
    /// The deadline.
    pub within: String,
    /// Entries into the step, and how many came after the deadline.
    pub on_time: Part,
}

/// Queues and utilisation of one role.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleStats {
    /// The role.
    pub role: String,
    /// Staff (after `--set`); 0 for a role whose work never waits.
    pub staff: f64,
    /// Whether its work waits for staff (a staff count, not `unlimited` or none).
    #[serde(skip)]
    pub queued: bool,
    /// Share of available hours worked.
    pub utilisation: Option<f64>,
    /// Mean queue length on weekdays.
    pub mean_queue: Option<f64>,
    /// Longest queue.
    pub max_queue: u64,
    /// Days from joining the queue to the work being done.
    pub wait_days: Dist,
    #[serde(skip)]
    worked: f64,
    #[serde(skip)]
    available: f64,
    #[serde(skip)]
    queue_sum: u64,
    #[serde(skip)]
    queue_days: u64,
    #[serde(skip)]
    waits: Option<Box<Hist>>,
}

/// Cases stuck at one step for one reason.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StuckCount {
    /// `workflow.step`.
    pub step: String,
    /// Why they could not go on.
    pub reason: String,
    /// How many cases.
    pub cases: u64,
}

/// Cases waiting, at the end of their follow-up, for something from outside that nothing in
/// the simulation sends (an answer from a unit outside the model, an event with no rate).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct WaitingCount {
    /// `workflow.step`.
    pub step: String,
    /// How many cases.
    pub cases: u64,
}

/// A timer taken late because its branch was busy when it fell due.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct LateTimer {
    /// `workflow.step` of the wait.
    pub step: String,
    /// How many times.
    pub times: u64,
    /// Mean days late.
    pub mean_days: f64,
}

/// A KPI over independent replications: the mean and its 95 % confidence interval (Student's
/// t with R − 1 degrees of freedom; no interval for one replication).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    /// The KPI, as `field` or `field.sub` of the report.
    pub kpi: String,
    /// Mean over the replications that measured it.
    pub mean: f64,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
    /// Replications that measured it.
    pub n: u32,
}

/// A figure of `validation:` over the replications: the mean of the replications that
/// measured it and its 95 % confidence interval (Student's t; none for one replication).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FigureEstimate {
    /// The figure's id.
    pub id: String,
    /// Mean over the replications that measured it; `None` when none did.
    pub mean: Option<f64>,
    /// Lower end of the 95 % interval.
    pub low: Option<f64>,
    /// Upper end of the 95 % interval.
    pub high: Option<f64>,
    /// Each replication's value, in replication order.
    pub values: Vec<Option<f64>>,
}

/// What `steg simulate` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Cases simulated per replication.
    pub cases: u64,
    /// The seed.
    pub seed: u64,
    /// Independent replications (the figures below pool all of them).
    pub replications: u32,
    /// Months each case was followed.
    pub months: u32,
    /// `--set` overrides in force.
    pub overrides: Vec<String>,
    /// First and last arrival (of the first replication).
    pub arrivals: (Option<NaiveDate>, Option<NaiveDate>),
    /// Cases that arrived, over all replications.
    pub arrived: u64,
    /// Days from application to decision.
    pub ansokan_till_beslut: Dist,
    /// Days from application to the first insats.
    pub ansokan_till_insats: Dist,
    /// Cases with a plan within 90 days of the application.
    pub plan_inom_90_dagar: Part,
    /// Deadlines (`within`) kept, per step.
    pub deadlines: Vec<DeadlineStats>,
    /// Days from absence noticed to the caseworker who pays having it.
    pub franvaro_till_handlaggare: Dist,
    /// Events raised by steps of the case that were lost (kept until the case closed, dropped
    /// or lapsed), by event: what `steg check` calls G022.
    pub lost_events: BTreeMap<String, u64>,
    /// Events (and answers) from the simulated world that no step took, by name: the world sent
    /// something the process no longer listened for (an application after the monthly cycle
    /// ended). Not a fault of the process; shown so the world's inputs can be checked.
    pub unused_outside_events: BTreeMap<String, u64>,
    /// Timers taken late because their branch was busy when they fell due.
    pub late_timers: Vec<LateTimer>,
    /// Returns to the referrer (answers counted as återremittering).
    pub aterremitteringar: u64,
    /// Cases returned at least once.
    pub aterremitterade_arenden: Part,
    /// Referrals of a case that had been referred before.
    pub ateranvisningar: u64,
    /// Closed cases by outcome.
    pub outcomes: BTreeMap<String, u64>,
    /// Cases still open when their follow-up ended (working, or waiting for something that
    /// was coming).
    pub open: u64,
    /// Cases waiting at the end for something from outside that nothing sends, by step.
    pub waiting: Vec<WaitingCount>,
    /// Cases that got stuck (no condition held, an unexpected answer, a rule failed), by step
    /// and reason.
    pub stuck: Vec<StuckCount>,
    /// Rule evaluations that failed.
    pub rule_errors: u64,
    /// Moves of all cases: transitions of the compiled nets fired (steps executed, joins passed,
    /// waits left), the unit of the simulator's speed (moves per second).
    pub moves: u64,
    /// Rule calls answered from the memo (a case with the same values in what the rule reads
    /// came before; see [`crate::Memo`]).
    pub rule_calls_memoised: u64,
    /// Rule calls evaluated by the interpreter.
    pub rule_calls_evaluated: u64,
    /// The first few rule errors, for finding them.
    pub first_rule_errors: Vec<String>,
    /// Staff queues and utilisation per role.
    pub roles: Vec<RoleStats>,
    /// Share of cases that broke each obligation of the configuration.
    pub obligations: Vec<crate::obligation::dynamic::ObligationShare>,
    /// With several replications: each scalar KPI's mean and 95 % confidence interval.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub estimates: Vec<Estimate>,
    /// The figures of `validation:` as the simulation measures them (docs/validation.md).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureEstimate>,
    #[serde(skip)]
    measures: Option<Box<super::measure::Measures>>,
    /// Each finished replication's figure values.
    #[serde(skip)]
    figure_runs: Vec<Vec<(String, Option<f64>)>>,
    #[serde(skip)]
    obligation_monitors: Option<Box<crate::obligation::dynamic::Monitors>>,
    #[serde(skip)]
    h_beslut: Box<Hist>,
    #[serde(skip)]
    h_insats: Box<Hist>,
    #[serde(skip)]
    h_franvaro: Box<Hist>,
    #[serde(skip)]
    deadline_counts: BTreeMap<At, (u64, u64)>,
    #[serde(skip)]
    stuck_counts: BTreeMap<(At, String), u64>,
    #[serde(skip)]
    waiting_counts: BTreeMap<At, u64>,
    #[serde(skip)]
    late_counts: BTreeMap<At, (u64, i64)>,
    /// Per-month figures and whole distributions, for charts; not in the JSON.
    #[serde(skip)]
    pub series: Series,
    #[serde(skip)]
    series_counts: SeriesCounts,
}

/// Student's t quantile for a two-sided 95 % interval with `df` degrees of freedom.
fn t95(df: u32) -> f64 {
    const T: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::NAN,
        1..=30 => T[df as usize - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

impl Report {
    pub(crate) fn new(opts: &Options, prog: &Program, staff: &[Option<f64>]) -> Report {
        Report {
            cases: opts.cases,
            seed: opts.seed,
            replications: opts.replications.max(1),
            months: opts.months,
            overrides: opts.set.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            arrivals: (None, None),
            arrived: 0,
            ansokan_till_beslut: Hist::new().dist(),
            ansokan_till_insats: Hist::new().dist(),
            plan_inom_90_dagar: part(0, 0),
            deadlines: Vec::new(),
            franvaro_till_handlaggare: Hist::new().dist(),
            lost_events: BTreeMap::new(),
            unused_outside_events: BTreeMap::new(),
            late_timers: Vec::new(),
            aterremitteringar: 0,
            aterremitterade_arenden: part(0, 0),
            ateranvisningar: 0,
            outcomes: BTreeMap::new(),
            open: 0,
            waiting: Vec::new(),
            stuck: Vec::new(),
            rule_errors: 0,
            moves: 0,
            rule_calls_memoised: 0,
            rule_calls_evaluated: 0,
            first_rule_errors: Vec::new(),
            roles: prog
                .roles
                .iter()
                .zip(staff)
                .map(|(r, s)| RoleStats {
                    role: r.clone(),
                    staff: s.unwrap_or(0.0),
                    queued: s.is_some(),
                    utilisation: None,
                    mean_queue: None,
                    max_queue: 0,
                    wait_days: Hist::new().dist(),
                    worked: 0.0,
                    available: 0.0,
                    queue_sum: 0,
                    queue_days: 0,
                    waits: Some(Box::new(Hist::new())),
                })
                .collect(),
            h_beslut: Box::new(Hist::new()),
            h_insats: Box::new(Hist::new()),
            h_franvaro: Box::new(Hist::new()),
            deadline_counts: BTreeMap::new(),
            stuck_counts: BTreeMap::new(),
            waiting_counts: BTreeMap::new(),
            late_counts: BTreeMap::new(),
            obligations: Vec::new(),
            estimates: Vec::new(),
            figures: Vec::new(),
            measures: None,
            figure_runs: Vec::new(),
            obligation_monitors: None,
            series: Series::default(),
            series_counts: SeriesCounts::default(),
        }
    }

    /// Measure the municipality's obligations on every finished case.
    pub(crate) fn watch_obligations(
        &mut self,
        m: &crate::municipality::Municipality,
        g: &crate::graph::Graph,
        prog: &Program,
    ) {
        let monitors = crate::obligation::dynamic::Monitors::new(m, g, prog);
        self.series_counts.template = Some(Box::new(monitors.clone()));
        self.obligation_monitors = Some(Box::new(monitors));
    }

    /// Measure the figures of the municipality's `validation:` block on every finished case
    /// (figures that do not resolve are left out: `steg check` reports them).
    pub(crate) fn watch_figures(&mut self, m: &crate::municipality::Municipality, prog: &Program) {
        let (measures, _) = super::measure::resolve(m, prog);
        if !measures.items.is_empty() {
            self.measures = Some(Box::new(measures));
        }
    }

    /// Close this replication's figures: their values join `figure_runs`.
    fn seal_figures(&mut self) {
        if let Some(m) = self.measures.take() {
            self.figure_runs.push(m.values());
        }
    }

    fn role(&mut self, role: usize) -> Option<&mut RoleStats> {
        self.roles.get_mut(role)
    }

    /// Cases that arrived in one replication, on average.
    pub fn arrivals_per_replication(&self) -> f64 {
        self.arrived as f64 / f64::from(self.replications.max(1))
    }

    pub(crate) fn started(&mut self, _case: &Case, date: NaiveDate) {
        self.arrived += 1;
        if self.arrivals.0.is_none() {
            self.arrivals.0 = Some(date);
        }
        self.arrivals.1 = Some(date);
    }

    pub(crate) fn queue_sample(&mut self, role: usize, len: usize, weekday: bool) {
        if let Some(r) = self.role(role) {
            r.max_queue = r.max_queue.max(len as u64);
            if weekday {
                r.queue_sum += len as u64;
                r.queue_days += 1;
            }
        }
    }

    pub(crate) fn waited(&mut self, role: usize, days: i64) {
        if let Some(h) = self.role(role).and_then(|r| r.waits.as_mut()) {
            h.add(days);
        }
    }

    pub(crate) fn worked(&mut self, role: usize, hours: f64, available: f64) {
        if let Some(r) = self.role(role) {
            r.worked += hours;
            r.available += available;
        }
    }

    pub(crate) fn finished(&mut self, case: &Case, kpi: &KpiSteps, cx: &Ctx, horizon: NaiveDate) {
        let prog = cx.prog;
        let first = |steps: &[At]| {
            case.visits
                .iter()
                .find(|(a, _)| steps.contains(a))
                .map(|(_, d)| *d)
        };
        if let Some(start) = first(&kpi.ansokan) {
            if let Some(d) = first(&kpi.beslut) {
                self.h_beslut.add((d - start).num_days());
            }
            if let Some(d) = first(&kpi.insats) {
                self.h_insats.add((d - start).num_days());
            }
            let plan = first(&kpi.plan).is_some_and(|d| (d - start).num_days() <= 90);
            self.plan_inom_90_dagar.of += 1;
            self.plan_inom_90_dagar.count += u64::from(plan);
        }
        if !kpi.franvaro_fran.is_empty() {
            // The days from absence noticed to the caseworker having it (reports raised while
            // one is pending are the same report).
            let mut pending: Option<NaiveDate> = None;
            for (a, d) in &case.visits {
                if kpi.franvaro_fran.contains(a) {
                    pending.get_or_insert(*d);
                } else if kpi.franvaro_till.contains(a) {
                    if let Some(from) = pending.take() {
                        self.h_franvaro.add((*d - from).num_days());
                    }
                }
            }
        }
        for (name, _, _) in &case.lost {
            *self.lost_events.entry(name.clone()).or_insert(0) += 1;
        }
        for (name, _, _) in &case.unused {
            *self.unused_outside_events.entry(name.clone()).or_insert(0) += 1;
        }
        for &(a, late) in &case.late_timers {
            let e = self.late_counts.entry(a).or_insert((0, 0));
            e.0 += 1;
            e.1 += late;
        }
        for (a, _) in &case.visits {
            if prog.step(*a).within.is_some() {
                self.deadline_counts.entry(*a).or_insert((0, 0)).0 += 1;
            }
        }
        for (a, _) in &case.missed {
            self.deadline_counts.entry(*a).or_insert((0, 0)).1 += 1;
        }
        let returned = case
            .returns
            .iter()
            .filter(|(_, o)| *o == kpi.aterremittering)
            .count() as u64;
        self.aterremitteringar += returned;
        self.aterremitterade_arenden.of += 1;
        self.aterremitterade_arenden.count += u64::from(returned > 0);
        let referrals = case
            .visits
            .iter()
            .filter(|(a, _)| kpi.anvisning.contains(a))
            .count() as u64;
        self.ateranvisningar += referrals.saturating_sub(1);
        if let Some(st) = &case.stuck {
            let at = prog
                .find(&st.step)
                .first()
                .copied()
                .unwrap_or(At { w: 0, s: 0 });
            *self
                .stuck_counts
                .entry((at, st.reason.clone()))
                .or_insert(0) += 1;
        } else if case.closed.is_some() {
            *self
                .outcomes
                .entry(case.outcome.clone().unwrap_or_default())
                .or_insert(0) += 1;
        } else {
            let positions = case.positions(cx);
            let stalled = case.next_date().is_none_or(|d| d > horizon)
                && !positions.is_empty()
                && positions.iter().all(|&(_, waits)| waits);
            match positions.first() {
                Some(&(at, _)) if stalled && case.next_date().is_none() => {
                    *self.waiting_counts.entry(at).or_insert(0) += 1;
                }
                _ => self.open += 1,
            }
        }
        if let Some(o) = self.obligation_monitors.as_mut() {
            o.observe(case, prog, horizon);
        }
        if let Some(m) = self.measures.as_mut() {
            m.observe(case, horizon);
        }
        self.series_counts.observe(case, prog, horizon);
        self.rule_errors += case.errors.len() as u64;
        self.moves += case.moves;
        for e in &case.errors {
            if self.first_rule_errors.len() < 5 {
                // Where: the rule's file, line and column.
                let at = e.span.as_ref().map(|s| {
                    format!(
                        "{}:{}:{}: ",
                        cx.sources.get(s.file).path.display(),
                        s.loc.line,
                        s.loc.column
                    )
                });
                self.first_rule_errors
                    .push(format!("{}{e}", at.unwrap_or_default()));
            }
        }
    }

    /// Cases that got stuck, over all reasons.
    pub fn stuck_cases(&self) -> u64 {
        self.stuck.iter().map(|s| s.cases).sum()
    }

    /// Cases waiting for something nothing sends, over all steps.
    pub fn waiting_cases(&self) -> u64 {
        self.waiting.iter().map(|s| s.cases).sum()
    }

    /// The scalar KPIs, by name, for estimates over replications.
    fn scalars(&self) -> Vec<(String, Option<f64>)> {
        let mut v = vec![
            (
                "ansokan_till_beslut.mean".to_string(),
                self.ansokan_till_beslut.mean,
            ),
            (
                "ansokan_till_beslut.median".to_string(),
                self.ansokan_till_beslut.median.map(|x| x as f64),
            ),
            (
                "ansokan_till_insats.mean".to_string(),
                self.ansokan_till_insats.mean,
            ),
            (
                "ansokan_till_insats.median".to_string(),
                self.ansokan_till_insats.median.map(|x| x as f64),
            ),
            (
                "plan_inom_90_dagar.share".to_string(),
                self.plan_inom_90_dagar.share,
            ),
            (
                "franvaro_till_handlaggare.mean".to_string(),
                self.franvaro_till_handlaggare.mean,
            ),
            (
                "aterremitterade_arenden.share".to_string(),
                self.aterremitterade_arenden.share,
            ),
            ("open".to_string(), Some(self.open as f64)),
            ("waiting".to_string(), Some(self.waiting_cases() as f64)),
            ("stuck".to_string(), Some(self.stuck_cases() as f64)),
        ];
        let closed: u64 = self.outcomes.values().sum();
        for (o, n) in &self.outcomes {
            v.push((
                format!("outcomes.{o}.share"),
                (closed > 0).then(|| *n as f64 / closed as f64),
            ));
        }
        for (e, n) in &self.lost_events {
            v.push((format!("lost_events.{e}"), Some(*n as f64)));
        }
        for r in &self.roles {
            v.push((format!("roles.{}.utilisation", r.role), r.utilisation));
            v.push((format!("roles.{}.mean_queue", r.role), r.mean_queue));
        }
        for o in &self.obligations {
            v.push((format!("obligations.{}.share", o.id), o.share));
        }
        v
    }

    /// Pool the replications into one report, with each scalar KPI's estimate over them.
    pub(crate) fn combine(parts: Vec<Report>, prog: &Program) -> Report {
        let mut finished: Vec<Vec<(String, Option<f64>)>> = Vec::new();
        let mut pooled: Option<Report> = None;
        for mut part in parts {
            part.seal_figures();
            let mut one = part.clone();
            one.finish(prog);
            finished.push(one.scalars());
            match pooled.as_mut() {
                None => pooled = Some(part),
                Some(p) => p.merge(part),
            }
        }
        let Some(mut report) = pooled else {
            unreachable!("at least one replication")
        };
        report.finish(prog);
        if finished.len() > 1 {
            let mut names: Vec<String> = Vec::new();
            for f in &finished {
                for (n, _) in f {
                    if !names.contains(n) {
                        names.push(n.clone());
                    }
                }
            }
            for name in names {
                let xs: Vec<f64> = finished
                    .iter()
                    .filter_map(|f| f.iter().find(|(n, _)| *n == name).and_then(|(_, x)| *x))
                    .collect();
                if xs.is_empty() {
                    continue;
                }
                let n = xs.len() as f64;
                let mean = xs.iter().sum::<f64>() / n;
                let (low, high) = if xs.len() > 1 {
                    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
                    let half = t95(xs.len() as u32 - 1) * (var / n).sqrt();
                    (Some(round3(mean - half)), Some(round3(mean + half)))
                } else {
                    (None, None)
                };
                report.estimates.push(Estimate {
                    kpi: name,
                    mean: round3(mean),
                    low,
                    high,
                    n: xs.len() as u32,
                });
            }
        }
        report
    }

    /// Add another replication's counts (before [`Report::finish`]).
    pub(crate) fn merge(&mut self, o: Report) {
        let add = |a: &mut Hist, b: &Hist| a.0.iter_mut().zip(&b.0).for_each(|(x, y)| *x += y);
        add(&mut self.h_beslut, &o.h_beslut);
        add(&mut self.h_insats, &o.h_insats);
        add(&mut self.h_franvaro, &o.h_franvaro);
        self.plan_inom_90_dagar.count += o.plan_inom_90_dagar.count;
        self.plan_inom_90_dagar.of += o.plan_inom_90_dagar.of;
        for (k, v) in o.lost_events {
            *self.lost_events.entry(k).or_insert(0) += v;
        }
        for (k, v) in o.unused_outside_events {
            *self.unused_outside_events.entry(k).or_insert(0) += v;
        }
        for (k, (n, d)) in o.late_counts {
            let e = self.late_counts.entry(k).or_insert((0, 0));
            e.0 += n;
            e.1 += d;
        }
        for (k, v) in o.stuck_counts {
            *self.stuck_counts.entry(k).or_insert(0) += v;
        }
        for (k, v) in o.waiting_counts {
            *self.waiting_counts.entry(k).or_insert(0) += v;
        }
        self.aterremitteringar += o.aterremitteringar;
        self.aterremitterade_arenden.count += o.aterremitterade_arenden.count;
        self.aterremitterade_arenden.of += o.aterremitterade_arenden.of;
        self.ateranvisningar += o.ateranvisningar;
        for (k, v) in o.outcomes {
            *self.outcomes.entry(k).or_insert(0) += v;
        }
        self.open += o.open;
        self.rule_errors += o.rule_errors;
        self.moves += o.moves;
        self.rule_calls_memoised += o.rule_calls_memoised;
        self.rule_calls_evaluated += o.rule_calls_evaluated;
        for e in o.first_rule_errors {
            if self.first_rule_errors.len() < 5 {
                self.first_rule_errors.push(e);
            }
        }
        for (k, (a, b)) in o.deadline_counts {
            let e = self.deadline_counts.entry(k).or_insert((0, 0));
            e.0 += a;
            e.1 += b;
        }
        for (r, x) in self.roles.iter_mut().zip(o.roles) {
            r.worked += x.worked;
            r.available += x.available;
            r.queue_sum += x.queue_sum;
            r.queue_days += x.queue_days;
            r.max_queue = r.max_queue.max(x.max_queue);
            if let (Some(a), Some(b)) = (r.waits.as_mut(), x.waits.as_ref()) {
                add(a, b);
            }
        }
        if let (Some(a), Some(b)) = (
            self.obligation_monitors.as_mut(),
            o.obligation_monitors.as_ref(),
        ) {
            a.merge(b);
        }
        self.series_counts.merge(o.series_counts);
        self.figure_runs.extend(o.figure_runs);
        self.arrived += o.arrived;
    }

    pub(crate) fn finish(&mut self, prog: &Program) {
        self.series = self.series_counts.finish(&self.h_beslut, &self.h_insats);
        self.figures = figure_estimates(&self.figure_runs);
        if let Some(o) = &self.obligation_monitors {
            self.obligations = o.shares();
        }
        self.ansokan_till_beslut = self.h_beslut.dist();
        self.ansokan_till_insats = self.h_insats.dist();
        self.franvaro_till_handlaggare = self.h_franvaro.dist();
        self.plan_inom_90_dagar = part(self.plan_inom_90_dagar.count, self.plan_inom_90_dagar.of);
        self.aterremitterade_arenden = part(
            self.aterremitterade_arenden.count,
            self.aterremitterade_arenden.of,
        );
        self.deadlines = self
            .deadline_counts
            .iter()
            .map(|(a, (entries, missed))| {
                let (w, s) = prog.name(*a);
                DeadlineStats {
                    step: format!("{w}.{s}"),
                    within: prog
                        .step(*a)
                        .within
                        .map(|(d, _)| d.to_string())
                        .unwrap_or_default(),
                    on_time: part(entries.saturating_sub(*missed), *entries),
                }
            })
            .collect();
        self.stuck = self
            .stuck_counts
            .iter()
            .map(|((a, reason), n)| StuckCount {
                step: prog.qualified(*a, None),
                reason: reason.clone(),
                cases: *n,
            })
            .collect();
        self.waiting = self
            .waiting_counts
            .iter()
            .map(|(a, n)| WaitingCount {
                step: prog.qualified(*a, None),
                cases: *n,
            })
            .collect();
        self.late_timers = self
            .late_counts
            .iter()
            .map(|(a, (n, days))| LateTimer {
                step: prog.qualified(*a, None),
                times: *n,
                mean_days: round1(*days as f64 / (*n).max(1) as f64),
            })
            .collect();
        for r in &mut self.roles {
            r.utilisation = (r.available > 0.0).then(|| round3(r.worked / r.available));
            r.mean_queue =
                (r.queue_days > 0).then(|| round1(r.queue_sum as f64 / r.queue_days as f64));
            if let Some(h) = r.waits.take() {
                r.wait_days = h.dist();
            }
        }
    }
}

/// Each figure's mean and 95 % interval over the replications that measured it.
fn figure_estimates(runs: &[Vec<(String, Option<f64>)>]) -> Vec<FigureEstimate> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    first
        .iter()
        .enumerate()
        .map(|(i, (id, _))| {
            let values: Vec<Option<f64>> =
                runs.iter().map(|r| r.get(i).and_then(|x| x.1)).collect();
            let xs: Vec<f64> = values.iter().flatten().copied().collect();
            let n = xs.len() as f64;
            let mean = (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / n);
            let (low, high) = match mean {
                Some(m) if xs.len() > 1 => {
                    let var = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
                    let half = t95(xs.len() as u32 - 1) * (var / n).sqrt();
                    (Some(m - half), Some(m + half))
                }
                _ => (None, None),
            };
            FigureEstimate {
                id: id.clone(),
                mean,
                low,
                high,
                values,
            }
        })
        .collect()
}

// ---- Per-month figures and whole distributions, for the charts of `steg report` ------------
//
// Kept apart from the KPIs above: cases are counted by calendar month of their arrival, their
// exit (closing, or the end of their follow-up) and the obligations they broke.

/// Cases per calendar month, and the whole lead-time distributions (for charts).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    /// Every calendar month from the first arrival to the last exit, in order.
    pub months: Vec<MonthFigures>,
    /// Cases by whole days from application to decision: index = days (the last index holds
    /// that many days or more); trailing zeros cut.
    pub ansokan_till_beslut: Vec<u64>,
    /// Cases by whole days from application to the first insats, as above.
    pub ansokan_till_insats: Vec<u64>,
    /// The obligations' ids, in the order of [`MonthFigures::obligations`].
    pub obligation_ids: Vec<String>,
}

/// One calendar month of a simulation.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonthFigures {
    /// The year.
    pub year: i32,
    /// The month, 1–12.
    pub month: u32,
    /// Cases that arrived in the month.
    pub arrived: u64,
    /// Cases that closed in the month.
    pub closed: u64,
    /// Cases whose follow-up ended in the month while still open.
    pub follow_up_ended: u64,
    /// Cases open (arrived, not closed, still followed) at the end of the month.
    pub open_at_end: u64,
    /// Per obligation: (cases arrived in the month that broke it, cases it applied to).
    pub obligations: Vec<(u64, u64)>,
}

/// What [`Series`] is made from, per calendar month (`year * 12 + month - 1`).
#[derive(Debug, Clone, Default)]
struct SeriesCounts {
    months: BTreeMap<i32, (u64, u64, u64)>,
    template: Option<Box<crate::obligation::dynamic::Monitors>>,
    monitors: BTreeMap<i32, crate::obligation::dynamic::Monitors>,
}

fn month_key(d: NaiveDate) -> i32 {
    use chrono::Datelike;
    d.year() * 12 + d.month0() as i32
}

impl SeriesCounts {
    fn observe(&mut self, case: &Case, prog: &Program, horizon: NaiveDate) {
        let Some(arrived) = self.count(case, horizon) else {
            return;
        };
        if let Some(t) = &self.template {
            self.monitors
                .entry(arrived)
                .or_insert_with(|| (**t).clone())
                .observe(case, prog, horizon);
        }
    }

    /// Count the case's arrival and exit; its arrival month, if it has one.
    fn count(&mut self, case: &Case, horizon: NaiveDate) -> Option<i32> {
        let &(_, arrival) = case.visits.first()?;
        let arrived = month_key(arrival);
        self.months.entry(arrived).or_default().0 += 1;
        match case.closed {
            Some(d) if d <= horizon => self.months.entry(month_key(d)).or_default().1 += 1,
            _ => self.months.entry(month_key(horizon)).or_default().2 += 1,
        }
        Some(arrived)
    }

    fn merge(&mut self, o: SeriesCounts) {
        for (k, (a, c, f)) in o.months {
            let e = self.months.entry(k).or_default();
            e.0 += a;
            e.1 += c;
            e.2 += f;
        }
        for (k, m) in o.monitors {
            match self.monitors.get_mut(&k) {
                Some(mine) => mine.merge(&m),
                None => {
                    self.monitors.insert(k, m);
                }
            }
        }
    }

    fn finish(&self, beslut: &Hist, insats: &Hist) -> Series {
        let trimmed = |h: &Hist| {
            let end = h.0.iter().rposition(|&n| n > 0).map_or(0, |i| i + 1);
            h.0[..end].to_vec()
        };
        let obligation_ids: Vec<String> = self
            .template
            .as_ref()
            .map(|t| t.shares().into_iter().map(|s| s.id).collect())
            .unwrap_or_default();
        let mut months = Vec::new();
        if let (Some(&first), Some(&last)) = (self.months.keys().next(), self.months.keys().last())
        {
            let mut open: u64 = 0;
            for k in first..=last {
                let (arrived, closed, ended) = self.months.get(&k).copied().unwrap_or_default();
                open = (open + arrived).saturating_sub(closed + ended);
                let obligations = match self.monitors.get(&k) {
                    Some(m) => m.shares().into_iter().map(|s| (s.broken, s.of)).collect(),
                    None => vec![(0, 0); obligation_ids.len()],
                };
                months.push(MonthFigures {
                    year: k.div_euclid(12),
                    month: k.rem_euclid(12) as u32 + 1,
                    arrived,
                    closed,
                    follow_up_ended: ended,
                    open_at_end: open,
                    obligations,
                });
            }
        }
        Series {
            months,
            ansokan_till_beslut: trimmed(beslut),
            ansokan_till_insats: trimmed(insats),
            obligation_ids,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_quantiles() {
        let mut h = Hist::new();
        for d in 1..=10 {
            h.add(d);
        }
        let d = h.dist();
        assert_eq!((d.count, d.median, d.p90), (10, Some(5), Some(9)));
        assert_eq!(d.mean, Some(5.5));
        assert_eq!(Hist::new().dist().median, None);
    }

    fn case(arrival: NaiveDate, closed: Option<NaiveDate>) -> Case {
        let mut c = Case::new("c", crate::eval::Arende::default(), false);
        c.visits.push((At { w: 0, s: 0 }, arrival));
        c.closed = closed;
        c
    }

    #[test]
    fn open_cases_are_counted_at_each_month_end_until_they_close_or_their_follow_up_ends() {
        let d = |m: u32, day: u32| NaiveDate::from_ymd_opt(2022, m, day).unwrap();
        let prog_free = |counts: &mut SeriesCounts, c: &Case, horizon: NaiveDate| {
            counts.count(c, horizon);
        };
        let mut counts = SeriesCounts::default();
        // Arrives and closes in January: never open at a month's end.
        prog_free(&mut counts, &case(d(1, 3), Some(d(1, 20))), d(6, 3));
        // Open at the end of January and February, closed in March.
        prog_free(&mut counts, &case(d(1, 10), Some(d(3, 2))), d(6, 10));
        // Still open when its follow-up ends in April: open at the ends of February and March.
        prog_free(&mut counts, &case(d(2, 5), None), d(4, 5));
        let s = counts.finish(&Hist::new(), &Hist::new());
        let open: Vec<(u32, u64)> = s.months.iter().map(|m| (m.month, m.open_at_end)).collect();
        assert_eq!(open, [(1, 1), (2, 2), (3, 1), (4, 0)]);
        assert_eq!(s.months[3].follow_up_ended, 1);
        assert_eq!(s.months[0].arrived, 2);
        assert!(s.ansokan_till_beslut.is_empty());
    }
}
