//! G003: a workflow without a `start`, or whose `start` names no step; a municipality with no
//! workflow at all.

use crate::codes::INVALID_START;

use super::Cx;
use crate::diagnostic::{did_you_mean, Diagnostic};

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    if cx.m.workflows.is_empty() {
        // Nothing to check is not the same as nothing wrong.
        if let Some((file, def)) = &cx.m.def {
            out.push(
                Diagnostic::new(
                    &INVALID_START,
                    Some(crate::diagnostic::Span {
                        file: *file,
                        loc: def.municipality.loc,
                    }),
                    format!(
                        "municipality `{}` has no workflow: no file beside municipality.yaml \
                         holds one",
                        def.municipality.value
                    ),
                )
                .label("no workflow to start a case in")
                .help(
                    "add a workflow file (`ekonomiskt_bistand.yaml` with `workflow:`, `start:` \
                     and `steps:`) to this folder, or `extends:` a base that has them",
                ),
            );
        }
    }
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
