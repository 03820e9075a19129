//! `steg validate`: simulate a municipality over the periods its `validation:` figures describe
//! and compare each figure with the simulated one (docs/validation.md).
//!
//! The run starts at `simulation.start` (the warm-up before the first period) and ends on the
//! last day of the latest period: no case arrives after it, every case is followed up to it.
//! Each of R replications is an independent copy with its own seed; a figure's simulated value
//! is the mean over the replications, with a 95 % confidence interval (Student's t). A figure
//! is within its tolerance when the mean lies in `value ± tolerance`.

use crate::diagnostic::Diagnostic;
use crate::model::{MunicipalityFile, Value};
use crate::municipality::Municipality;
use crate::semantics::Semantics;
use crate::sim::measure::{self, measure_name, Period};
use crate::sim::{self, Options, Report};
use crate::validity::parse_date;
use crate::{Graph, SourceMap};
use chrono::NaiveDate;
use serde::Serialize;

/// Replications when the configuration and the command line name none.
pub const DEFAULT_REPLICATIONS: u32 = 10;

/// How `steg validate` runs.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Replications (default: `validation.replications`, else [`DEFAULT_REPLICATIONS`]).
    pub replications: Option<u32>,
    /// Seed of the first replication (default: `validation.seed`, else 1).
    pub seed: Option<u64>,
    /// Worker threads (0: one per core); the result does not depend on it.
    pub threads: usize,
    /// What-if overrides, as for `steg simulate --set`.
    pub set: Vec<(String, String)>,
}

/// How a simulated figure compares with the source's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FigureVerdict {
    /// The simulated mean is within `value ± tolerance`.
    Within,
    /// It is not.
    Outside,
    /// No replication measured it (nothing it counts happened).
    NotMeasured,
}

impl FigureVerdict {
    /// The verdict in Swedish, as `steg validate` prints it.
    pub fn sv(self) -> &'static str {
        match self {
            FigureVerdict::Within => "inom toleransen",
            FigureVerdict::Outside => "utanför toleransen",
            FigureVerdict::NotMeasured => "ej mätt",
        }
    }
}

/// One figure: the source's value, the simulated one, and the verdict.
#[derive(Debug, Clone, Serialize)]
pub struct FigureCheck {
    /// The figure's id in `validation.figures`.
    pub id: String,
    /// What it is, in the source's words.
    pub description: Option<String>,
    /// How it is measured (`in_stay`, `followed_by`, ...).
    pub measure: &'static str,
    /// The period it describes, as written.
    pub period: String,
    /// Whether it is a share (0 to 1).
    pub share: bool,
    /// The source's figure.
    pub value: f64,
    /// The tolerance.
    pub tolerance: f64,
    /// The simulated mean over the replications.
    pub simulated: Option<f64>,
    /// Lower end of its 95 % confidence interval.
    pub low: Option<f64>,
    /// Upper end.
    pub high: Option<f64>,
    /// Each replication's value.
    pub values: Vec<Option<f64>>,
    /// Within, outside, or not measured.
    pub verdict: FigureVerdict,
    /// Where the source's figure comes from.
    pub source: Option<String>,
    /// Whether the source says the figure is an assumption (no source gives it).
    pub assumption: bool,
}

/// A figure of the configuration whose source says it is an assumption.
#[derive(Debug, Clone, Serialize)]
pub struct Assumption {
    /// Where in municipality.yaml (`simulation.arrivals_per_month`).
    pub path: String,
    /// The value, as text.
    pub value: String,
    /// Its `source:`.
    pub source: String,
}

/// What `steg validate` found.
#[derive(Debug, Clone, Serialize)]
pub struct ValidationReport {
    /// The municipality's name.
    pub municipality: String,
    /// Replications run.
    pub replications: u32,
    /// Seed of the first.
    pub seed: u64,
    /// First arrival day.
    pub start: NaiveDate,
    /// Last day simulated.
    pub until: NaiveDate,
    /// Cases that arrived, per replication (mean).
    pub cases_per_replication: f64,
    /// The figures, in the configuration's order.
    pub figures: Vec<FigureCheck>,
    /// Inputs and figures the configuration marks as assumptions.
    pub assumptions: Vec<Assumption>,
    /// The simulation behind it (stuck and waiting cases, KPIs).
    #[serde(skip)]
    pub simulation: Report,
}

impl ValidationReport {
    /// Figures outside their tolerance or not measured.
    pub fn failed(&self) -> usize {
        self.figures
            .iter()
            .filter(|f| f.verdict != FigureVerdict::Within)
            .count()
    }
}

fn invalid(msg: String) -> Diagnostic {
    Diagnostic::new(&crate::codes::INVALID_VALUE, None, msg)
}

/// The days a validation run covers: from `simulation.start` to the last day of the latest
/// period of `m`'s figures, and the replications and seed to use.
pub fn plan(
    m: &Municipality,
    opts: &ValidateOptions,
) -> Result<(NaiveDate, NaiveDate, u32, u64), Vec<Diagnostic>> {
    let Some((_, def)) = &m.def else {
        return Err(vec![invalid("municipality.yaml could not be read".into())]);
    };
    let Some(v) = &def.validation else {
        return Err(vec![invalid(format!(
            "{} has no `validation:` in municipality.yaml: the figures of the sources to compare with (docs/validation.md)",
            m.dir.display()
        ))]);
    };
    let Some(s) = &def.simulation else {
        return Err(vec![invalid(format!(
            "{} has no `simulation:` in municipality.yaml, so it cannot be simulated",
            m.dir.display()
        ))]);
    };
    let start = parse_date(&s.start.value).map_err(|e| vec![invalid(e)])?;
    let mut until: Option<NaiveDate> = None;
    for (_, f) in v.figures.iter() {
        let p = Period::parse(&f.period.value).map_err(|e| vec![invalid(e)])?;
        until = Some(until.map_or(p.to, |u: NaiveDate| u.max(p.to)));
    }
    let Some(until) = until else {
        return Err(vec![invalid(
            "`validation:` has no figures to compare with".into(),
        )]);
    };
    if until < start {
        return Err(vec![invalid(format!(
            "the figures describe days before the simulation starts ({start})"
        ))]);
    }
    let replications = opts
        .replications
        .or(v.replications.as_ref().map(|r| r.value))
        .unwrap_or(DEFAULT_REPLICATIONS)
        .max(1);
    let seed = opts.seed.or(v.seed.as_ref().map(|s| s.value)).unwrap_or(1);
    Ok((start, until, replications, seed))
}

/// The simulation options of a validation run.
pub fn options(
    start: NaiveDate,
    until: NaiveDate,
    replications: u32,
    seed: u64,
    o: &ValidateOptions,
) -> Options {
    // Every case is followed to the last day; the case count only bounds the run.
    let months = ((until - start).num_days() / 28 + 2).clamp(1, 1_200) as u32;
    Options {
        cases: 10_000_000,
        seed,
        months,
        set: o.set.clone(),
        record: false,
        threads: o.threads,
        replications,
        until: Some(until),
    }
}

/// Run the validation of `m`. `progress` is called now and then with the cases finished.
pub fn validate(
    m: &Municipality,
    sources: &SourceMap,
    opts: &ValidateOptions,
    progress: &mut dyn FnMut(u64),
) -> Result<ValidationReport, Vec<Diagnostic>> {
    let (start, until, replications, seed) = plan(m, opts)?;
    let g = Graph::build(m);
    let sem = Semantics::new(m, &g);
    let (_, problems) = measure::resolve(m, &sem.prog);
    if !problems.is_empty() {
        return Err(problems);
    }
    let sim_opts = options(start, until, replications, seed, opts);
    sim::validate(m, &sim_opts)?;
    let report = sim::simulate(m, sources, &sim_opts, progress, &mut |_, _| Ok(()))?;
    let Some((_, def)) = &m.def else {
        return Err(vec![invalid("municipality.yaml could not be read".into())]);
    };
    let v = def.validation.as_ref();
    let mut figures = Vec::new();
    for (key, f) in v
        .map(|v| v.figures.iter().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let est = report.figures.iter().find(|e| e.id == key.value);
        let simulated = est.and_then(|e| e.mean);
        let verdict = match simulated {
            None => FigureVerdict::NotMeasured,
            Some(x) if (x - f.value.value).abs() <= f.tolerance.value + 1e-9 => {
                FigureVerdict::Within
            }
            Some(_) => FigureVerdict::Outside,
        };
        figures.push(FigureCheck {
            id: key.value.clone(),
            description: f.description.clone(),
            measure: measure_name(f.measure.value),
            period: f.period.value.clone(),
            share: measure::is_share(f.measure.value),
            value: f.value.value,
            tolerance: f.tolerance.value,
            simulated,
            low: est.and_then(|e| e.low),
            high: est.and_then(|e| e.high),
            values: est.map(|e| e.values.clone()).unwrap_or_default(),
            verdict,
            assumption: f.source.as_deref().is_none_or(is_assumption),
            source: f.source.clone(),
        });
    }
    let arrived = report.arrivals_per_replication();
    Ok(ValidationReport {
        municipality: def.municipality.value.clone(),
        replications,
        seed,
        start,
        until,
        cases_per_replication: arrived,
        figures,
        assumptions: assumptions(def),
        simulation: report,
    })
}

/// Whether a `source:` says the value is an assumption (no source gives it).
pub fn is_assumption(source: &str) -> bool {
    let s = source.to_lowercase();
    s.contains("not in seed") || s.contains("assumption") || s.contains("antagande")
}

fn value_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::Text(t) => t.clone(),
    }
}

/// The configuration's values whose source says they are assumptions: parameters, staff, and
/// every input of the simulation.
pub fn assumptions(d: &MunicipalityFile) -> Vec<Assumption> {
    let mut out = Vec::new();
    let mut push = |path: String, value: String, source: Option<&String>| {
        if let Some(s) = source.filter(|s| is_assumption(s)) {
            out.push(Assumption {
                path,
                value,
                source: s.clone(),
            });
        }
    };
    for (id, p) in d.parameters.iter() {
        push(
            format!("parameters.{}", id.value),
            value_text(&p.value.value),
            p.source.as_ref(),
        );
    }
    for (id, r) in d.roles.iter() {
        if let Some(s) = &r.staff {
            push(
                format!("roles.{}.staff", id.value),
                s.value
                    .count()
                    .map_or("unlimited".to_string(), |n| n.to_string()),
                r.source.as_ref(),
            );
        }
    }
    let Some(sim) = &d.simulation else {
        return out;
    };
    let attrs = |prefix: &str,
                 map: &crate::model::Map<crate::model::Attribute>,
                 push: &mut dyn FnMut(String, String, Option<&String>)| {
        for (id, a) in map.iter() {
            let value = match a.uniform {
                Some((lo, hi)) => format!("uniform {lo}..{hi}"),
                None => a
                    .values
                    .iter()
                    .map(|s| format!("{}: {}", s.value, s.share.value))
                    .collect::<Vec<_>>()
                    .join(", "),
            };
            push(format!("{prefix}.{}", id.value), value, a.source.as_ref());
        }
    };
    let rate = |e: &crate::model::EventRate| match (e.per_month, &e.after, &e.every) {
        (Some(r), _, _) => format!("{r} per month"),
        (_, Some(d), _) => format!("after {}", d.value),
        (_, _, Some(d)) => format!("every {}", d.value),
        _ => String::new(),
    };
    push(
        "simulation.arrivals_per_month".to_string(),
        value_text(&sim.arrivals_per_month.value.value),
        sim.arrivals_per_month.source.as_ref(),
    );
    for c in &sim.arrival_changes {
        push(
            format!("simulation.arrival_changes.{}", c.from.value),
            format!("{} per month", c.per_month.value),
            c.source.as_ref(),
        );
    }
    attrs("simulation.attributes", &sim.attributes, &mut push);
    for (id, e) in sim.entries.iter() {
        push(
            format!("simulation.entries.{}.arrivals_per_month", id.value),
            value_text(&e.arrivals_per_month.value.value),
            e.arrivals_per_month.source.as_ref(),
        );
        attrs(
            &format!("simulation.entries.{}.attributes", id.value),
            &e.attributes,
            &mut push,
        );
    }
    for (id, e) in sim.events.iter() {
        push(
            format!("simulation.events.{}", id.value),
            rate(e),
            e.source.as_ref(),
        );
        attrs(
            &format!("simulation.events.{}.draw", id.value),
            &e.draw,
            &mut push,
        );
    }
    for (unit, a) in sim.answers.iter() {
        let shares = a
            .shares
            .iter()
            .map(|(name, share)| format!("{}: {share}", name.value))
            .collect::<Vec<_>>()
            .join(", ");
        push(
            format!("simulation.answers.{}", unit.value),
            format!("after {}; {shares}", a.after.value),
            a.source.as_ref(),
        );
    }
    if let Some(v) = &d.validation {
        for (id, f) in v.figures.iter() {
            push(
                format!("validation.figures.{}", id.value),
                f.value.value.to_string(),
                f.source.as_ref(),
            );
        }
    }
    out
}
