//! G003: a workflow without a `start`, or whose `start` names no step.

use super::Cx;
use crate::diagnostic::{did_you_mean, Diagnostic};

declare_check! {
    /// ## What it does
    /// Reports a workflow with no `start:` field, a `start` that names no step of the workflow,
    /// or a workflow with no steps at all.
    ///
    /// ## Why is this bad?
    /// A case that is referred to the workflow, or that applies, has no step to begin in.
    ///
    /// ## Example
    /// ```yaml
    /// workflow: ame
    /// steps:
    ///   inskrivning: { actor: arbetsmarknadshandlaggare, next: kartlaggning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// workflow: ame
    /// start: inskrivning
    /// steps:
    ///   inskrivning: { actor: arbetsmarknadshandlaggare, next: kartlaggning }
    /// ```
    pub static INVALID_START = ("G003", InvalidStart, Error);
}

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for w in &cx.m.workflows {
        let wspan = cx.span(w, &w.def.workflow);
        if w.def.steps.is_empty() {
            out.push(
                Diagnostic::new(
                    &INVALID_START,
                    Some(wspan),
                    format!("workflow `{}` has no steps", w.name()),
                )
                .label("empty workflow")
                .help("add `steps:` with at least a start step and an end step"),
            );
            continue;
        }
        match &w.def.start {
            None => {
                let first = w.def.steps.keys().next().unwrap_or_default();
                out.push(
                    Diagnostic::new(
                        &INVALID_START,
                        Some(wspan),
                        format!("workflow `{}` has no `start`", w.name()),
                    )
                    .label("no start step")
                    .help(format!(
                        "add `start: {first}` (or whichever step cases enter at)"
                    )),
                );
            }
            Some(s) if !w.def.steps.contains(&s.value) => {
                let help = match did_you_mean(&s.value, w.def.steps.keys()) {
                    Some(c) => format!("did you mean `{c}`?"),
                    None => format!("`start` must name one of the steps of `{}`", w.name()),
                };
                out.push(
                    Diagnostic::new(
                        &INVALID_START,
                        Some(cx.span(w, s)),
                        format!(
                            "start step `{}` is not a step of workflow `{}`",
                            s.value,
                            w.name()
                        ),
                    )
                    .label("no step of this name")
                    .help(help),
                );
            }
            Some(_) => {}
        }
    }
}
