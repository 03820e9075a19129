//! G020: a workflow that extends a base removes a step that a step it keeps or adds still
//! points to.

use crate::codes::REMOVED_STEP_STILL_USED;

use super::Cx;
use crate::diagnostic::{Diagnostic, Span};
use crate::model::{Node, Workflow};
use std::collections::HashSet;

/// One place that names a step: its node, the step it is written in (`None` for `start`), and
/// what kind of reference it is.
struct Use<'a> {
    node: &'a Node<String>,
    step: Option<&'a str>,
    what: &'static str,
}

fn uses(w: &Workflow) -> Vec<Use<'_>> {
    let mut out = Vec::new();
    if let Some(s) = &w.def.start {
        out.push(Use {
            node: s,
            step: None,
            what: "the workflow starts here",
        });
    }
    for (name, step) in w.def.steps.iter() {
        let at = Some(name.value.as_str());
        for t in step.transitions() {
            out.push(Use {
                node: &t.to,
                step: at,
                what: "a transition still leads here",
            });
        }
        for t in &step.on {
            out.push(Use {
                node: &t.to,
                step: at,
                what: "a trigger still leads here",
            });
        }
        for (_, to) in step.returns.iter() {
            out.push(Use {
                node: to,
                step: at,
                what: "an answer still leads here",
            });
        }
        if let Some(from) = step.within.as_ref().and_then(|d| d.from.as_ref()) {
            out.push(Use {
                node: from,
                step: at,
                what: "a deadline is still counted from here",
            });
        }
    }
    out
}

/// Reports the removed steps still used, and drops the "unknown step" (G001) and "unknown
/// start" (G003) diagnostics at those same places: this one says why the step is missing.
pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let mut replaced: HashSet<Span> = HashSet::new();
    for w in &cx.m.workflows {
        let gone: Vec<&Node<String>> = w
            .def
            .remove
            .iter()
            .filter(|r| !w.def.steps.contains(&r.value))
            .collect();
        if gone.is_empty() {
            continue;
        }
        let uses = uses(w);
        for r in gone {
            let mine: Vec<&Use> = uses.iter().filter(|u| u.node.value == r.value).collect();
            let Some(first) = mine.first() else {
                continue;
            };
            let by: Vec<String> = mine
                .iter()
                .map(|u| {
                    u.step
                        .map_or("the workflow's `start`".to_string(), |s| format!("`{s}`"))
                })
                .collect();
            let mut d = Diagnostic::new(
                &REMOVED_STEP_STILL_USED,
                Some(cx.span(w, r)),
                format!(
                    "step `{}` is removed from workflow `{}`, but {} still {} to it",
                    r.value,
                    w.name(),
                    join(&by),
                    if mine.len() == 1 { "leads" } else { "lead" },
                ),
            )
            .label("removed here")
            .help(help(&mine, &r.value));
            if let Some(s) = first.step {
                d = d.step(w.name(), s);
            }
            for u in &mine {
                let span = cx.span(w, u.node).resolved();
                d = d.related(span.clone(), u.what);
                replaced.insert(span);
            }
            out.push(d);
        }
    }
    if !replaced.is_empty() {
        out.retain(|d| {
            !((d.check == &crate::codes::UNKNOWN_REFERENCE
                || d.check == &crate::codes::INVALID_START)
                && d.span.as_ref().is_some_and(|s| replaced.contains(s)))
        });
    }
}

/// What to write instead: replace the steps that lead to the removed one, set a new `start`.
fn help(uses: &[&Use], removed: &str) -> String {
    let mut steps: Vec<String> = Vec::new();
    for u in uses {
        if let Some(s) = u.step {
            let s = format!("`{s}`");
            if !steps.contains(&s) {
                steps.push(s);
            }
        }
    }
    let mut todo = Vec::new();
    if !steps.is_empty() {
        todo.push(format!(
            "replace {} in this file so that nothing leads to `{removed}`",
            join(&steps)
        ));
    }
    if uses.iter().any(|u| u.step.is_none()) {
        todo.push("write the step cases start at as `start:` in this file".to_string());
    }
    format!("{}; or keep the step", todo.join("; "))
}

fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
