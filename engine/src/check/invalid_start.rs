//! G003: a workflow without a `start`, or whose `start` names no step.

use crate::codes::INVALID_START;

use super::Cx;
use crate::diagnostic::{did_you_mean, Diagnostic};

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
                let suggestion = did_you_mean(&s.value, w.def.steps.keys());
                let help = match suggestion {
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
                    .help(help)
                    .maybe_fix(cx.span(w, s), suggestion),
                );
            }
            Some(_) => {}
        }
    }
}
