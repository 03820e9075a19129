//! The verdict of an imported model, in three words: `sound`, `not sound` (with what and where)
//! or `not decided` (with why).
//!
//! - A PNML net is decided on the net as written ([`crate::net::decide`]), never on the
//!   workflow `steg import` writes for it: N001–N003 for the violations, each with its firing
//!   sequence, N004 when the budget or the net's form leaves the question open.
//! - A BPMN model is decided on its workflows by the workflow checks. Where the import had to
//!   approximate an element (S005), the verdict about that workflow (and any workflow that
//!   refers to it) is not certain: its errors are lowered to warnings that say so, and a model
//!   without other errors is `not decided`, never `sound`. A state space too large (G019) is
//!   `not decided` as well.

use super::pnml::{FinalKind, NetModel};
use super::{Imported, Locator};
use crate::codes;
use crate::diagnostic::{Diagnostic, FileId, Severity, Span};
use crate::net::space::Budget;
use crate::net::verdict::{FinalMarkings, Finals, Sink, Sinks};
use crate::net::{decide, Answer, Finding, Net};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// A model's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelVerdict {
    /// Shown sound.
    Sound,
    /// Not sound: the first problems, with the model's ids and lines.
    NotSound(String),
    /// Neither shown nor refuted: why.
    NotDecided(String),
}

impl ModelVerdict {
    /// `sound`, `not sound`, `not decided`.
    pub fn word(&self) -> &'static str {
        match self {
            ModelVerdict::Sound => "sound",
            ModelVerdict::NotSound(_) => "not sound",
            ModelVerdict::NotDecided(_) => "not decided",
        }
    }
}

impl std::fmt::Display for ModelVerdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ModelVerdict::Sound => f.write_str("sound"),
            ModelVerdict::NotSound(why) => write!(f, "not sound: {why}"),
            ModelVerdict::NotDecided(why) => write!(f, "not decided: {why}"),
        }
    }
}

/// What deciding a model's nets took.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Explored {
    /// States explored, over every net.
    pub states: usize,
    /// The most bytes one exploration held.
    pub peak_bytes: usize,
}

/// The most transitions of a path written in a message.
const PATH_SHOWN: usize = 40;

/// Decide every net of a PNML import: diagnostics at the elements, and what it took.
pub(crate) fn decide_nets(
    imp: &Imported,
    text: &str,
    budget: Budget,
) -> (Vec<Diagnostic>, Explored) {
    let at = Locator::new(text);
    let mut out = Vec::new();
    let mut effort = Explored::default();
    for nm in &imp.nets {
        let span = |offset: usize| Span {
            file: imp.file,
            loc: at.loc(offset, 1),
        };
        if let Some((offset, why)) = nm.undecidable.first() {
            out.push(
                Diagnostic::new(
                    &codes::SOUNDNESS_NOT_DECIDED,
                    Some(span(*offset)),
                    format!("soundness of net `{}` not decided: {why}", nm.id),
                )
                .label("not a place/transition net as written"),
            );
            continue;
        }
        let kind = match &nm.finals {
            Ok(k) => k,
            Err(why) => {
                out.push(
                    Diagnostic::new(
                        &codes::SOUNDNESS_NOT_DECIDED,
                        Some(span(nm.at)),
                        format!("soundness of net `{}` not decided: {why}", nm.id),
                    )
                    .label("no initial or final marking"),
                );
                continue;
            }
        };
        let sinks;
        let markings;
        let sink;
        let finals: &dyn Finals = match kind {
            FinalKind::Sink(o) => {
                sink = Sink {
                    place: *o,
                    ignored: &[],
                };
                &sink
            }
            FinalKind::Sinks => {
                sinks = Sinks::of(&nm.net);
                &sinks
            }
            FinalKind::Markings(ms) => {
                markings = FinalMarkings(ms.clone());
                &markings
            }
        };
        let d = decide(&nm.net, finals, budget);
        effort.states += d.states;
        effort.peak_bytes = effort.peak_bytes.max(d.peak_bytes);
        match d.answer {
            Answer::Sound => {}
            Answer::NotDecided(limit) => out.push(
                Diagnostic::new(
                    &codes::SOUNDNESS_NOT_DECIDED,
                    Some(span(nm.at)),
                    format!(
                        "soundness of net `{}` not decided: the exploration stopped at {limit} \
                         ({} states explored after reducing {} transitions to {}), without finding \
                         a violation",
                        nm.id,
                        d.states,
                        nm.net.transitions.len(),
                        d.reduced_transitions
                    ),
                )
                .label("state space too large"),
            ),
            Answer::NotSound(findings) => {
                for f in findings {
                    finding(nm, &f, kind, &span, &mut out);
                }
            }
        }
    }
    (out, effort)
}

/// The transitions of `path` by id, at most [`PATH_SHOWN`] of them.
fn show_path(net: &Net, path: &[u32]) -> String {
    if path.is_empty() {
        return "at the start".to_string();
    }
    let mut s = String::from("after ");
    let shown = path.len().min(PATH_SHOWN);
    let ids: Vec<&str> = path[..shown]
        .iter()
        .map(|&t| net.transitions[t as usize].name.as_str())
        .collect();
    s.push_str(&ids.join(", "));
    if path.len() > shown {
        let _ = write!(s, ", … ({} more)", path.len() - shown);
    }
    s
}

fn finding(
    nm: &NetModel,
    f: &Finding,
    kind: &FinalKind,
    span: &dyn Fn(usize) -> Span,
    out: &mut Vec<Diagnostic>,
) {
    let net = &nm.net;
    let tname = |t: u32| net.transitions[t as usize].name.clone();
    let pname = |p: u32| net.places[p as usize].name.clone();
    match f {
        Finding::Deadlock { path, marking } | Finding::Livelock { path, marking } => {
            let dead = matches!(f, Finding::Deadlock { .. });
            // Where: a transition that has some of its tokens and waits for the rest, else
            // the first marked place.
            let waiting = (0..net.transitions.len() as u32).find(|&t| {
                let pre = &net.transitions[t as usize].pre;
                pre.iter().any(|&(p, _)| marking.get(p) > 0)
                    && !pre.iter().all(|&(p, w)| marking.get(p) >= w)
            });
            let (offset, label) = match (dead, waiting) {
                (true, Some(t)) => {
                    let missing: Vec<String> = net.transitions[t as usize]
                        .pre
                        .iter()
                        .filter(|&&(p, w)| marking.get(p) < w)
                        .map(|&(p, _)| pname(p))
                        .collect();
                    (
                        nm.transition_at[t as usize],
                        format!("waits for ever for {}", missing.join(", ")),
                    )
                }
                _ => (
                    marking
                        .0
                        .first()
                        .map_or(nm.at, |&(p, _)| nm.place_at[p as usize]),
                    if dead {
                        "the tokens stop here".to_string()
                    } else {
                        "no way to an end from here".to_string()
                    },
                ),
            };
            let what = if dead {
                "nothing is enabled and it is not final (a deadlock)"
            } else {
                "moves remain, but none leads to a final marking (a livelock)"
            };
            out.push(
                Diagnostic::new(
                    &codes::NET_CANNOT_COMPLETE,
                    Some(span(offset)),
                    format!(
                        "net `{}` can reach {}, from which no final marking can be reached: {what}; {}",
                        nm.id,
                        net.show(marking),
                        show_path(net, path)
                    ),
                )
                .label(label)
                .step(&nm.id, &element(nm, offset)),
            );
        }
        Finding::Improper { path, marking } => {
            let doubled = marking.0.iter().find(|&&(_, n)| n > 1).map(|&(p, _)| p);
            let (place, what) = match (kind, doubled) {
                (FinalKind::Sinks, Some(p)) => (
                    p,
                    format!(
                        "place `{}` holds {} tokens (a lack of synchronisation)",
                        pname(p),
                        marking.get(p)
                    ),
                ),
                _ => (
                    doubled.or(marking.0.first().map(|&(p, _)| p)).unwrap_or(0),
                    "it holds a final marking and more: the case ends while tokens are left (improper completion)".to_string(),
                ),
            };
            out.push(
                Diagnostic::new(
                    &codes::IMPROPER_TERMINATION,
                    Some(span(
                        nm.place_at.get(place as usize).copied().unwrap_or(nm.at),
                    )),
                    format!(
                        "net `{}` can reach {}: {what}; {}",
                        nm.id,
                        net.show(marking),
                        show_path(net, path)
                    ),
                )
                .label("too many tokens here")
                .step(&nm.id, &pname(place)),
            );
        }
        Finding::Unbounded { path, cycle, place } => {
            let start = &path[..path.len() - cycle.len()];
            let cyc: Vec<String> = cycle.iter().take(PATH_SHOWN).map(|&t| tname(t)).collect();
            out.push(
                Diagnostic::new(
                    &codes::IMPROPER_TERMINATION,
                    Some(span(nm.place_at[*place as usize])),
                    format!(
                        "net `{}` is unbounded: {}, firing {} again and again adds a token to `{}` each time",
                        nm.id,
                        show_path(net, start),
                        cyc.join(", "),
                        pname(*place)
                    ),
                )
                .label("tokens pile up here")
                .step(&nm.id, &pname(*place)),
            );
        }
        Finding::Dead { transitions } => {
            for &t in transitions {
                let name = nm.transition_names[t as usize]
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        &codes::DEAD_TRANSITION,
                        Some(span(nm.transition_at[t as usize])),
                        format!(
                            "transition `{}`{name} of net `{}` never fires: no reachable marking enables it",
                            tname(t),
                            nm.id
                        ),
                    )
                    .label("never enabled")
                    .step(&nm.id, &tname(t)),
                );
            }
        }
    }
}

/// The id of the place or transition whose element starts at `offset`.
fn element(nm: &NetModel, offset: usize) -> String {
    if let Some(t) = nm.transition_at.iter().position(|&o| o == offset) {
        return nm.net.transitions[t].name.clone();
    }
    if let Some(p) = nm.place_at.iter().position(|&o| o == offset) {
        return nm.net.places[p].name.clone();
    }
    nm.id.clone()
}

/// Whether `d` says a verdict could not be established (N004, G019): an error, but "not
/// decided", not "not sound".
fn undecided(d: &Diagnostic) -> bool {
    d.check.code == codes::SOUNDNESS_NOT_DECIDED.code
        || d.check.code == codes::STATE_SPACE_TOO_LARGE.code
}

/// The verdict of a PNML model from its diagnostics (S006, N001–N004).
pub(crate) fn net_verdict(diags: &[Diagnostic]) -> ModelVerdict {
    let errors = first_problems(
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error && !undecided(d)),
    );
    if !errors.is_empty() {
        return ModelVerdict::NotSound(errors);
    }
    if let Some(d) = diags
        .iter()
        .find(|d| d.check.code == codes::SOUNDNESS_NOT_DECIDED.code)
    {
        return ModelVerdict::NotDecided(undecided_reason(d));
    }
    ModelVerdict::Sound
}

fn undecided_reason(d: &Diagnostic) -> String {
    let m = d.message.as_str();
    let why = m.split_once(" not decided: ").map_or(m, |(_, w)| w);
    match &d.span {
        Some(s) => format!("{why} (line {})", s.loc.line),
        None => why.to_string(),
    }
}

/// Up to three problems as `CODE Name at step (line N)`, and how many more.
fn first_problems<'a>(diags: impl Iterator<Item = &'a Diagnostic>) -> String {
    let mut seen: Vec<String> = Vec::new();
    for d in diags {
        let what = match (&d.step, &d.span) {
            (Some(s), Some(sp)) => format!(
                "{} {} at {s} (line {})",
                d.check.code, d.check.name, sp.loc.line
            ),
            (None, Some(sp)) => {
                format!("{} {} at line {}", d.check.code, d.check.name, sp.loc.line)
            }
            (_, None) => format!("{} {}", d.check.code, d.check.name),
        };
        if !seen.contains(&what) {
            seen.push(what);
        }
    }
    let more = seen.len().saturating_sub(3);
    seen.truncate(3);
    let mut v = seen.join("; ");
    if more > 0 {
        let _ = write!(v, "; and {more} more");
    }
    v
}

/// The verdict of a BPMN model from its import and the workflow checks' diagnostics, lowering
/// the errors about workflows an approximation touches (see the module docs).
pub(crate) fn bpmn_verdict(imp: &Imported, file: FileId, diags: &mut [Diagnostic]) -> ModelVerdict {
    // Workflows with an approximation, and every workflow that refers to one of them.
    let mut tainted: BTreeSet<String> = imp.approximated.iter().map(|(w, _)| w.clone()).collect();
    loop {
        let before = tainted.len();
        for w in &imp.model.workflows {
            if tainted.contains(&w.id) {
                continue;
            }
            let refers = w.steps.iter().any(
                |s| matches!(&s.refer, Some(super::IRefer::Workflow(x)) if tainted.contains(x)),
            );
            if refers {
                tainted.insert(w.id.clone());
            }
        }
        if tainted.len() == before {
            break;
        }
    }
    let lines = |w: &str| -> Vec<usize> {
        imp.approximated
            .iter()
            .filter(|(x, _)| x == w)
            .map(|&(_, o)| o)
            .collect()
    };
    let _ = file;
    for d in diags.iter_mut() {
        if d.severity != Severity::Error || d.check.code.starts_with('S') || undecided(d) {
            continue;
        }
        // A terminate end event ends the other branches on purpose.
        if d.check.code == codes::IMPROPER_COMPLETION.code
            && d.step.as_ref().is_some_and(|s| imp.terminating.contains(s))
        {
            d.severity = Severity::Warning;
            d.message = format!(
                "{} (a terminate end event: in BPMN it ends the other branches on purpose)",
                d.message
            );
            continue;
        }
        let Some(wf) = d
            .step
            .as_deref()
            .and_then(|s| s.split_once('.'))
            .map(|(w, _)| w)
        else {
            continue;
        };
        if tainted.contains(wf) {
            d.severity = Severity::Warning;
            let why = if lines(wf).is_empty() {
                "it calls a workflow the import approximated (S005)".to_string()
            } else {
                "the import approximated part of this workflow (S005)".to_string()
            };
            d.message = format!("{} (not certain: {why})", d.message);
        }
    }
    let errors = first_problems(
        diags
            .iter()
            .filter(|d| d.severity == Severity::Error && !undecided(d)),
    );
    if !errors.is_empty() {
        return ModelVerdict::NotSound(errors);
    }
    if !imp.approximated.is_empty() {
        let mut ats: Vec<u32> = Vec::new();
        for d in diags.iter().filter(|d| {
            d.check.code == codes::UNSUPPORTED_ELEMENT.code
                && d.span
                    .as_ref()
                    .is_some_and(|s| imp.approximated.iter().any(|&(_, o)| o == s.loc.offset))
        }) {
            if let Some(s) = &d.span {
                ats.push(s.loc.line);
            }
        }
        ats.sort_unstable();
        ats.dedup();
        let more = ats.len().saturating_sub(5);
        ats.truncate(5);
        let mut lines = ats
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        if more > 0 {
            let _ = write!(lines, " and {more} more");
        }
        return ModelVerdict::NotDecided(format!(
            "the import approximated elements steg cannot express (S005, line{} {lines}); what they touch is not checked as drawn",
            if ats.len() + more == 1 { "" } else { "s" }
        ));
    }
    if let Some(d) = diags
        .iter()
        .find(|d| d.check.code == codes::STATE_SPACE_TOO_LARGE.code)
    {
        return ModelVerdict::NotDecided(format!(
            "{} (G019{})",
            d.message,
            d.span
                .as_ref()
                .map(|s| format!(", line {}", s.loc.line))
                .unwrap_or_default()
        ));
    }
    ModelVerdict::Sound
}
