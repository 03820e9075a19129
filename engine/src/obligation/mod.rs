//! Follow-up obligations: what must happen to every case, declared in the configuration with its
//! source, checked on the graph (`steg check`, `steg check --audit`) and measured in simulation.
//!
//! Four kinds, written under `obligations:` in `municipality.yaml` or in a workflow file:
//!
//! | kind | YAML | broken when |
//! |---|---|---|
//! | after A, B within D | `{ after: A, then: B, within: D }` | a case passes A and ends, or can no longer reach B, or reaches B only after D |
//! | every B reviewed within D | `{ every: B, reviewed_by: R, within: D }` | after B (or R), R can no longer come while the case goes on, or comes only after D |
//! | referrals return | `{ referrals_return: true }` | a referred workflow can end with an answer the referral does not map, or an answer never reaches the role that referred |
//! | event E reaches role R | `{ event: E, reaches: R, within: D }` | a step that receives E goes back to waiting without a step acted by R |
//!
//! The static analyses are in [`analysis`] (what is *certainly* broken: conditions and events
//! are free choice; a route that a condition or an event may take is assumed possible; time is
//! the runtime's: a step takes its declared `duration`, 0 when none, a timer its period, an
//! event any time), and the simulation's measure in [`dynamic`].

pub(crate) mod analysis;
pub(crate) mod dynamic;

pub use dynamic::ObligationShare;
mod time;

use crate::diagnostic::{did_you_mean, Diagnostic, Severity, Span};
use crate::duration::Duration;
use crate::graph::Graph;
use crate::model::{Map, Node, Obligation, ObligationSeverity};
use crate::municipality::Municipality;
use crate::semantics::program::At;

/// What an obligation is about, with its names resolved.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    After { after: At, then: Target },
    Every { every: At, reviewed_by: Target },
    ReferralsReturn,
    Event { event: String, reaches: Reach },
}

/// A step an obligation requires; it may be missing from the configuration, which is itself
/// how the obligation fails.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Step(At),
    Missing { name: String, hint: Option<String> },
}

/// Who or what an event must reach.
#[derive(Debug, Clone)]
pub(crate) enum Reach {
    Role(String),
    Step(At),
}

/// An obligation ready to check.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub id: String,
    pub span: Option<Span>,
    /// The workflow whose file declares it.
    pub home: Option<usize>,
    pub kind: Kind,
    pub within: Option<Duration>,
    pub unless: Vec<At>,
    pub severity: Severity,
    pub requirement: Option<String>,
    pub shortfall: Option<String>,
    pub source: Option<String>,
}

/// How an obligation fared on the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// No case can break it, and where it has a time limit, the declared times keep it.
    Holds,
    /// No case certainly breaks it, but the configuration does not show that it is met in
    /// time: the reason (an event with no timer, a join, an answer from outside).
    NotShown(String),
    /// Some case breaks it: see the findings.
    Broken,
}

/// One way an obligation is broken: a sentence with the path that breaks it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// What happens, with the offending path step by step.
    pub message: String,
    /// The same in Swedish (for `steg check --audit` and `steg report`).
    pub sv: String,
    /// How to fix it.
    pub help: String,
    /// The step the finding is about, as (workflow index, step index).
    pub at: Option<At>,
    /// The requirement is met at the shortest durations but not at the longest the
    /// configuration gives: not by every case, rather than by none.
    pub for_some: bool,
}

/// The verdict on one obligation.
#[derive(Debug, Clone)]
pub struct Verdict {
    /// The obligation's id.
    pub id: String,
    /// `after`, `every`, `referrals_return` or `event`.
    pub kind: &'static str,
    /// The requirement (as written, or generated from the obligation).
    pub requirement: String,
    /// How an auditor says it is not met, if written.
    pub shortfall: Option<String>,
    /// Where the requirement comes from.
    pub source: Option<String>,
    /// Holds, not shown, or broken.
    pub status: Status,
    /// Why it is not shown, in Swedish (when not shown).
    pub reason_sv: Option<String>,
    /// The ways it is broken (empty unless broken).
    pub findings: Vec<Finding>,
    /// The severity of its diagnostics.
    pub severity: Severity,
    /// Where it is declared.
    pub span: Option<Span>,
}

/// Every obligation of a municipality with its verdict, and the diagnostics of obligations that
/// could not be read (unknown names: G001; wrong shape: S003).
#[derive(Debug, Default)]
pub struct Evaluation {
    /// One per readable obligation, in file order (municipality.yaml first).
    pub verdicts: Vec<Verdict>,
    /// Problems with the obligations themselves.
    pub diagnostics: Vec<Diagnostic>,
}

/// Check every obligation of `m` on its graph.
pub fn evaluate(m: &Municipality) -> Evaluation {
    let graph = Graph::build(m);
    evaluate_with(m, &graph)
}

pub(crate) fn evaluate_with(m: &Municipality, graph: &Graph) -> Evaluation {
    let sem = crate::semantics::Semantics::new(m, graph);
    evaluate_on(m, graph, &sem)
}

/// [`evaluate`] on compiled semantics.
pub(crate) fn evaluate_on(
    m: &Municipality,
    graph: &Graph,
    sem: &crate::semantics::Semantics,
) -> Evaluation {
    let mut ev = Evaluation::default();
    let resolved = resolve(m, graph, &mut ev.diagnostics);
    for r in &resolved {
        ev.verdicts.push(analysis::judge(graph, sem, r));
    }
    ev
}

/// Every obligation of `m` with names resolved (for the simulation).
pub(crate) fn resolve_all(m: &Municipality, graph: &Graph) -> Vec<Resolved> {
    resolve(m, graph, &mut Vec::new())
}

fn resolve(m: &Municipality, graph: &Graph, out: &mut Vec<Diagnostic>) -> Vec<Resolved> {
    let mut list = Vec::new();
    if let Some((file, def)) = &m.def {
        for (key, o) in def.obligations.iter() {
            if let Some(r) = resolve_one(
                m,
                graph,
                key,
                o,
                None,
                Some(Span {
                    file: *file,
                    loc: key.loc,
                }),
                &|loc| Span { file: *file, loc },
                out,
            ) {
                list.push(r);
            }
        }
    }
    for (wi, w) in m.workflows.iter().enumerate() {
        for (key, o) in w.def.obligations.iter() {
            if let Some(r) = resolve_one(
                m,
                graph,
                key,
                o,
                Some(wi),
                Some(Span {
                    file: w.file,
                    loc: key.loc,
                }),
                &|loc| Span { file: w.file, loc },
                out,
            ) {
                list.push(r);
            }
        }
    }
    list
}

fn invalid(span: Option<Span>, id: &str, msg: &str) -> Diagnostic {
    Diagnostic::new(&crate::codes::INVALID_VALUE, span, format!("obligation `{id}`: {msg}"))
        .label("not a valid obligation")
        .help("write one of `{ after: A, then: B }`, `{ every: B, reviewed_by: R }`, `{ referrals_return: true }`, `{ event: E, reaches: ROLE }`")
}

fn unknown(span: Span, what: &str, name: &str, candidates: &[String]) -> Diagnostic {
    let help = match did_you_mean(name, candidates.iter().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("no {what} of this name is defined"),
    };
    Diagnostic::new(
        &crate::codes::UNKNOWN_REFERENCE,
        Some(span),
        format!("unknown {what} `{name}`"),
    )
    .label(format!("no {what} of this name"))
    .help(help)
}

/// Every step as `workflow.step`, for suggestions.
fn all_steps(m: &Municipality) -> Vec<String> {
    m.workflows
        .iter()
        .flat_map(|w| w.def.steps.keys().map(move |s| format!("{}.{s}", w.name())))
        .collect()
}

enum Found {
    Step(At),
    /// The workflow exists (or none was named) but the step does not.
    NoStep(Option<String>),
    /// A bare name several workflows use.
    Ambiguous(Vec<String>),
    /// The named workflow does not exist.
    NoWorkflow(String),
}

fn find_step(m: &Municipality, graph: &Graph, name: &str, home: Option<usize>) -> Found {
    let at = |w: usize, s: usize| At {
        w: w as u32,
        s: s as u32,
    };
    if let Some((wn, sn)) = name.split_once('.') {
        let Some(&w) = graph.workflow_index.get(wn) else {
            return Found::NoWorkflow(wn.to_string());
        };
        return match graph.step_index[w].get(sn) {
            Some(&s) => Found::Step(at(w, s)),
            None => Found::NoStep(
                did_you_mean(sn, m.workflows[w].def.steps.keys()).map(|s| format!("{wn}.{s}")),
            ),
        };
    }
    if let Some(w) = home {
        return match graph.step_index[w].get(name) {
            Some(&s) => Found::Step(at(w, s)),
            None => Found::NoStep(
                did_you_mean(name, m.workflows[w].def.steps.keys()).map(str::to_string),
            ),
        };
    }
    let hits: Vec<(usize, usize)> = graph
        .step_index
        .iter()
        .enumerate()
        .filter_map(|(w, idx)| idx.get(name).map(|&s| (w, s)))
        .collect();
    match hits.as_slice() {
        [(w, s)] => Found::Step(at(*w, *s)),
        [] => {
            let steps = all_steps(m);
            Found::NoStep(did_you_mean(name, steps.iter().map(String::as_str)).map(str::to_string))
        }
        many => Found::Ambiguous(
            many.iter()
                .map(|&(w, s)| {
                    format!(
                        "{}.{}",
                        m.workflows[w].name(),
                        m.workflows[w].def.steps.0[s].0.value
                    )
                })
                .collect(),
        ),
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_one(
    m: &Municipality,
    graph: &Graph,
    key: &Node<String>,
    o: &Obligation,
    home: Option<usize>,
    span: Option<Span>,
    at: &dyn Fn(crate::diagnostic::Loc) -> Span,
    out: &mut Vec<Diagnostic>,
) -> Option<Resolved> {
    let id = key.value.clone();
    let kinds = [
        o.after.is_some() || o.then.is_some(),
        o.every.is_some() || o.reviewed_by.is_some(),
        o.referrals_return.is_some(),
        o.event.is_some() || o.reaches.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        out.push(invalid(span, &id, "give exactly one kind of obligation"));
        return None;
    }
    let before = out.len();
    // A step that must exist (the clock's start, an exemption): unknown is a mistake.
    let required = |n: &Node<String>, out: &mut Vec<Diagnostic>| -> Option<At> {
        match find_step(m, graph, &n.value, home) {
            Found::Step(a) => Some(a),
            Found::NoWorkflow(w) => {
                let names: Vec<String> = m.workflows.iter().map(|w| w.name().to_string()).collect();
                out.push(unknown(at(n.loc), "workflow", &w, &names));
                None
            }
            Found::NoStep(_) => {
                out.push(unknown(at(n.loc), "step", &n.value, &all_steps(m)));
                None
            }
            Found::Ambiguous(list) => {
                out.push(ambiguous(at(n.loc), &id, &n.value, &list));
                None
            }
        }
    };
    // A step the obligation requires: missing is how the obligation fails.
    let target = |n: &Node<String>, out: &mut Vec<Diagnostic>| -> Option<Target> {
        match find_step(m, graph, &n.value, home) {
            Found::Step(a) => Some(Target::Step(a)),
            Found::NoStep(hint) => Some(Target::Missing {
                name: n.value.clone(),
                hint,
            }),
            Found::NoWorkflow(w) => {
                let names: Vec<String> = m.workflows.iter().map(|w| w.name().to_string()).collect();
                out.push(unknown(at(n.loc), "workflow", &w, &names));
                None
            }
            Found::Ambiguous(list) => {
                out.push(ambiguous(at(n.loc), &id, &n.value, &list));
                None
            }
        }
    };
    let kind = if o.after.is_some() || o.then.is_some() {
        let (Some(a), Some(b)) = (&o.after, &o.then) else {
            out.push(invalid(
                span,
                &id,
                "`after` needs `then` (and `then` needs `after`)",
            ));
            return None;
        };
        let a = required(a, out);
        let b = target(b, out);
        Kind::After {
            after: a?,
            then: b?,
        }
    } else if o.every.is_some() || o.reviewed_by.is_some() {
        let (Some(a), Some(b)) = (&o.every, &o.reviewed_by) else {
            out.push(invalid(
                span,
                &id,
                "`every` needs `reviewed_by` (and `reviewed_by` needs `every`)",
            ));
            return None;
        };
        let a = required(a, out);
        let b = target(b, out);
        Kind::Every {
            every: a?,
            reviewed_by: b?,
        }
    } else if let Some(r) = &o.referrals_return {
        if !r.value {
            out.push(invalid(
                span,
                &id,
                "`referrals_return: false` asks for nothing; remove the obligation",
            ));
            return None;
        }
        if o.within.is_some() {
            out.push(invalid(
                span,
                &id,
                "`within` does not apply to `referrals_return`",
            ));
            return None;
        }
        Kind::ReferralsReturn
    } else {
        let (Some(e), Some(r)) = (&o.event, &o.reaches) else {
            out.push(invalid(
                span,
                &id,
                "`event` needs `reaches` (and `reaches` needs `event`)",
            ));
            return None;
        };
        let events: Vec<String> = m
            .def
            .as_ref()
            .map(|(_, d)| d.events.keys().map(str::to_string).collect())
            .unwrap_or_default();
        if !events.contains(&e.value) {
            out.push(unknown(at(e.loc), "event", &e.value, &events));
            return None;
        }
        let roles: Map<crate::model::Role> = m
            .def
            .as_ref()
            .map(|(_, d)| d.roles.clone())
            .unwrap_or_default();
        let reaches = if r.value.contains('.') {
            Reach::Step(required(r, out)?)
        } else if roles.contains(&r.value) {
            Reach::Role(r.value.clone())
        } else {
            let names: Vec<String> = roles.keys().map(str::to_string).collect();
            out.push(unknown(at(r.loc), "role", &r.value, &names).help(
                match did_you_mean(&r.value, names.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`? (a step is written `workflow.step`)"),
                    None => "`reaches` is a role, or a step written `workflow.step`".to_string(),
                },
            ));
            return None;
        };
        Kind::Event {
            event: e.value.clone(),
            reaches,
        }
    };
    let mut unless = Vec::new();
    for u in &o.unless {
        if let Some(a) = required(u, out) {
            unless.push(a);
        }
    }
    let within = match &o.within {
        Some(d) => match m.period(&d.value) {
            Ok(d) => Some(d),
            Err(msg) => {
                out.push(
                    Diagnostic::new(
                        &crate::codes::INVALID_VALUE,
                        Some(at(d.loc)),
                        format!("obligation `{id}`: {msg}"),
                    )
                    .label("not a duration")
                    .help("write a duration (`3mo`) or name a parameter whose value is one"),
                );
                None
            }
        },
        None => None,
    };
    if out.len() > before {
        return None;
    }
    Some(Resolved {
        id,
        span,
        home,
        kind,
        within,
        unless,
        severity: match o.severity.as_ref().map(|s| s.value) {
            Some(ObligationSeverity::Error) => Severity::Error,
            _ => Severity::Warning,
        },
        requirement: o.requirement.clone(),
        shortfall: o.shortfall.clone(),
        source: o.source.clone(),
    })
}

/// A step name in an obligation that several workflows have.
fn ambiguous(span: Span, id: &str, step: &str, list: &[String]) -> Diagnostic {
    let list: Vec<String> = list.iter().map(|s| format!("`{s}`")).collect();
    Diagnostic::new(
        &crate::codes::INVALID_VALUE,
        Some(span),
        format!("obligation `{id}`: step `{step}` is in several workflows"),
    )
    .label("ambiguous step")
    .help(format!("write one of {}", list.join(", ")))
}
