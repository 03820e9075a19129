//! `steg conform`: a case system's event log replayed against a municipality's model.
//!
//! The log's activities are related to steps by a map (`--map`, [`ActivityMap`]); without one,
//! activity names are step ids (`workflow.step`, or a bare id one workflow has). Steps no
//! activity maps to are not observed: the model is aligned as a log that records only the
//! mapped steps sees it ([`LabelledNet::observing`]). Each trace gets an optimal alignment
//! (deviations: steps *skipped*, activities *inserted*) within a budget of states, and its
//! token-based replay fitness; each obligation is judged on the trace's mapped steps by the
//! same monitors `steg simulate` uses. Only case ids leave this module, never other attribute
//! values.

use super::align::{align, token_replay, Alignment, Budget, Step};
use super::read::Trace;
use super::LabelledNet;
use crate::graph::Graph;
use crate::municipality::Municipality;
use crate::obligation::dynamic::Monitors;
use crate::run::case::Case;
use crate::semantics::{At, Semantics};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How a case system's activities map onto steps (`--map MAP.yaml`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityMap {
    /// The entry workflow the cases start in [default: the first entry].
    #[serde(default)]
    pub entry: Option<String>,
    /// Activity name in the log → step id (`workflow.step` or a bare id). Several activities
    /// may map to one step.
    #[serde(default)]
    pub activities: BTreeMap<String, String>,
    /// Activities to leave out (notes, phone calls: nothing the model has).
    #[serde(default)]
    pub ignore: Vec<String>,
}

/// How many examples of each finding are listed.
pub const EXAMPLES: usize = 5;

/// One trace's verdict.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceResult {
    /// The case id.
    pub case: String,
    /// `fits`, `deviates` or `not_decided`.
    pub verdict: &'static str,
    /// Deviations in the optimal alignment (absent when not decided).
    pub cost: Option<u32>,
    /// Token-based replay fitness.
    pub fitness: f64,
    /// Steps the model required that the log lacks.
    pub skipped: Vec<String>,
    /// Activities the log has where the model does not allow them.
    pub inserted: Vec<String>,
    /// Obligations the trace broke.
    pub broke: Vec<String>,
    /// The trace was still open when the log was taken (aligned as a prefix).
    pub open: bool,
}

/// A step skipped or an activity inserted, over all traces.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Deviation {
    /// The step (`workflow.step`) or, for an insertion, the step or unmapped activity.
    pub step: String,
    /// `skipped` or `inserted`.
    pub kind: &'static str,
    /// Traces with it.
    pub traces: u64,
    /// traces / all decided traces.
    pub share: f64,
    /// Times over all traces.
    pub times: u64,
    /// Some case ids.
    pub examples: Vec<String>,
}

/// An obligation over all traces.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ObligationResult {
    /// Its id.
    pub id: String,
    /// Traces it applied to.
    pub of: u64,
    /// Traces that broke it.
    pub broken: u64,
    /// broken / of.
    pub share: Option<f64>,
    /// Some case ids that broke it.
    pub examples: Vec<String>,
}

/// The whole conformance report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Conformance {
    /// The entry workflow aligned against.
    pub entry: String,
    /// Traces read.
    pub traces: u64,
    /// Traces that fit (no deviation).
    pub fitting: u64,
    /// Traces not decided within the budget.
    pub not_decided: u64,
    /// The budget of states per trace.
    pub budget: usize,
    /// Mean token-based replay fitness.
    pub fitness: f64,
    /// Steps observed (mapped), in model order.
    pub observed: Vec<String>,
    /// Activities of the log the map ignores, with their counts.
    pub ignored: Vec<(String, u64)>,
    /// Deviations, most frequent first.
    pub deviations: Vec<Deviation>,
    /// Obligations, in declaration order.
    pub obligations: Vec<ObligationResult>,
    /// Per trace, in the log's order.
    pub per_trace: Vec<TraceResult>,
}

/// Relate `traces` to `m`'s model. `Err` says what in the map does not fit the model.
pub fn conform(
    m: &Municipality,
    traces: &[Trace],
    map: &ActivityMap,
    budget: Budget,
) -> Result<Conformance, String> {
    let graph = Graph::build(m);
    let sem = Semantics::new(m, &graph);
    let prog = &sem.prog;
    let entry = match &map.entry {
        Some(e) => prog
            .entries
            .iter()
            .copied()
            .find(|&w| prog.workflows[w as usize].name == *e)
            .ok_or_else(|| format!("the map's entry `{e}` is not an entry workflow"))?,
        None => *prog
            .entries
            .first()
            .ok_or("the municipality has no entry workflow")?,
    };
    let wn = sem.nets[entry as usize]
        .as_ref()
        .ok_or("the entry workflow could not be compiled")?;
    let full = LabelledNet::of(prog, wn);
    let resolve = |id: &str| -> Result<String, String> {
        match prog.find(id).as_slice() {
            [a] => {
                let (w, s) = prog.name(*a);
                Ok(format!("{w}.{s}"))
            }
            [] => Err(format!("no step `{id}` in {}", m.name)),
            many => Err(format!(
                "`{id}` is a step of {} workflows; write `workflow.{id}`",
                many.len()
            )),
        }
    };
    let mut to_step: BTreeMap<String, String> = BTreeMap::new();
    for (activity, step) in &map.activities {
        to_step.insert(activity.clone(), resolve(step)?);
    }
    let known: Vec<&str> = full.activities();
    // Without a map entry, an activity that is a step's id names that step.
    let step_of = |a: &str| -> Option<String> {
        if map.ignore.iter().any(|i| i == a) {
            return None;
        }
        to_step
            .get(a)
            .cloned()
            .or_else(|| resolve(a).ok())
            .or_else(|| Some(a.to_string()))
    };
    let mut mapped: Vec<(String, Vec<String>)> = Vec::new();
    let mut ignored: BTreeMap<String, u64> = BTreeMap::new();
    for t in traces {
        let mut acts = Vec::new();
        for (a, _) in &t.events {
            match step_of(a) {
                Some(s) => acts.push(s),
                None => *ignored.entry(a.clone()).or_insert(0) += 1,
            }
        }
        mapped.push((t.id.clone(), acts));
    }
    let observed: Vec<String> = known
        .iter()
        .filter(|k| mapped.iter().any(|(_, acts)| acts.iter().any(|a| a == *k)))
        .map(|k| k.to_string())
        .collect();
    let net = full.observing(|a| observed.iter().any(|o| o == a));
    let monitors = Monitors::new(m, &graph, prog);
    let mut per_trace = Vec::new();
    let mut devs: BTreeMap<(String, &'static str), (u64, u64, Vec<String>)> = BTreeMap::new();
    let mut obl: Vec<ObligationResult> = Vec::new();
    let (mut fitting, mut undecided, mut fit_sum) = (0u64, 0u64, 0.0);
    for (t, (id, acts)) in traces.iter().zip(&mapped) {
        let refs: Vec<&str> = acts.iter().map(String::as_str).collect();
        let (fitness, ..) = token_replay(&net, &refs, t.open);
        fit_sum += fitness;
        let alignment = align(&net, &refs, t.open, budget);
        let (mut skipped, mut inserted) = (Vec::new(), Vec::new());
        let (verdict, cost) = match &alignment {
            Alignment::Found { cost, steps, .. } => {
                for s in steps {
                    match *s {
                        Step::Model(x) => {
                            skipped.push(net.labels[x as usize].clone().unwrap_or_default())
                        }
                        Step::Log(i) => inserted.push(acts[i].clone()),
                        _ => {}
                    }
                }
                (if *cost == 0 { "fits" } else { "deviates" }, Some(*cost))
            }
            Alignment::NotDecided { .. } | Alignment::Impossible => ("not_decided", None),
        };
        match verdict {
            "fits" => fitting += 1,
            "not_decided" => undecided += 1,
            _ => {}
        }
        for (list, kind) in [(&skipped, "skipped"), (&inserted, "inserted")] {
            let mut seen: Vec<&String> = Vec::new();
            for s in list {
                let e = devs.entry((s.clone(), kind)).or_insert((0, 0, Vec::new()));
                e.1 += 1;
                if !seen.contains(&s) {
                    seen.push(s);
                    e.0 += 1;
                    if e.2.len() < EXAMPLES {
                        e.2.push(id.clone());
                    }
                }
            }
        }
        // Obligations on the steps the log shows.
        let mut case = Case::new(
            id.clone(),
            crate::eval::Arende::new(id.clone(), BTreeMap::new()),
            false,
        );
        for (i, a) in acts.iter().enumerate() {
            let Some(at) = find(prog, a) else { continue };
            let date = t
                .date(original_index(t, &map.ignore, i))
                .unwrap_or_default();
            case.visits.push((at, date));
        }
        let last = t.events.iter().rev().find_map(|(_, d)| d.map(|d| d.date()));
        case.started = t.events.iter().find_map(|(_, d)| d.map(|d| d.date()));
        if !t.open {
            case.closed = last.or(Some(chrono::NaiveDate::MIN));
        }
        let horizon = last.unwrap_or(chrono::NaiveDate::MIN);
        let mut broke = Vec::new();
        for (k, (oid, v)) in monitors.judge(&case, prog, horizon).into_iter().enumerate() {
            if obl.len() <= k {
                obl.push(ObligationResult {
                    id: oid.clone(),
                    of: 0,
                    broken: 0,
                    share: None,
                    examples: Vec::new(),
                });
            }
            if let Some(b) = v {
                obl[k].of += 1;
                if b {
                    obl[k].broken += 1;
                    if obl[k].examples.len() < EXAMPLES {
                        obl[k].examples.push(id.clone());
                    }
                    broke.push(oid);
                }
            }
        }
        per_trace.push(TraceResult {
            case: id.clone(),
            verdict,
            cost,
            fitness,
            skipped,
            inserted,
            broke,
            open: t.open,
        });
    }
    for o in &mut obl {
        o.share = (o.of > 0).then(|| o.broken as f64 / o.of as f64);
    }
    let decided = (traces.len() as u64 - undecided).max(1);
    let mut deviations: Vec<Deviation> = devs
        .into_iter()
        .map(|((step, kind), (traces, times, examples))| Deviation {
            step,
            kind,
            traces,
            share: traces as f64 / decided as f64,
            times,
            examples,
        })
        .collect();
    deviations.sort_by(|a, b| b.traces.cmp(&a.traces).then(a.step.cmp(&b.step)));
    Ok(Conformance {
        entry: prog.workflows[entry as usize].name.clone(),
        traces: traces.len() as u64,
        fitting,
        not_decided: undecided,
        budget: budget.0,
        fitness: if traces.is_empty() {
            1.0
        } else {
            fit_sum / traces.len() as f64
        },
        observed,
        ignored: ignored.into_iter().collect(),
        deviations,
        obligations: obl,
        per_trace,
    })
}

fn find(prog: &crate::semantics::Program, activity: &str) -> Option<At> {
    match prog.find(activity).as_slice() {
        [a] => Some(*a),
        _ => None,
    }
}

/// The index in `t.events` of the `i`-th event not ignored.
fn original_index(t: &Trace, ignore: &[String], i: usize) -> usize {
    t.events
        .iter()
        .enumerate()
        .filter(|(_, (a, _))| !ignore.contains(a))
        .nth(i)
        .map_or(0, |(k, _)| k)
}

/// Read a map file's text (added to `sources`, so a wrong shape is a located diagnostic).
pub fn read_map(
    sources: &mut crate::SourceMap,
    path: std::path::PathBuf,
    text: String,
) -> Result<ActivityMap, Box<crate::Diagnostic>> {
    let file = sources.add(path, text.clone());
    crate::load::yaml::parse::<ActivityMap>(file, &text)
}
