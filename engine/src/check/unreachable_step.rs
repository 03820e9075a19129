//! G004: a step no case can reach from the start of an entry workflow.

use crate::codes::UNREACHABLE_STEP;

use super::Cx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let g = cx.graph;
    let reach = g.reachable();
    for (wi, w) in cx.m.workflows.iter().enumerate() {
        if g.starts[wi].is_none() || g.workflow_index.get(w.name()) != Some(&wi) {
            continue; // reported by InvalidStart / DuplicateId; everything would be unreachable
        }
        let entered = g.starts[wi].is_some_and(|s| reach[s.index()]);
        for (si, (name, _)) in w.def.steps.iter().enumerate() {
            if g.step_index[wi].get(&name.value) != Some(&si) {
                continue; // a duplicate; reported by DuplicateId
            }
            if reach[g.nodes[wi][si].index()] {
                continue;
            }
            let (msg, help) = if entered {
                (
                    format!("step `{}` of workflow `{}` can never be reached", name.value, w.name()),
                    format!("no transition, trigger or answer leads here from `{}`; add one, or remove the step", w.def.start.as_ref().map_or("", |s| s.value.as_str())),
                )
            } else {
                (
                    format!("step `{}` can never be reached: no case ever enters workflow `{}`", name.value, w.name()),
                    "no reachable referral points to this workflow; refer to it, or list it under `entry:` in municipality.yaml".to_string(),
                )
            };
            out.push(
                Diagnostic::new(&UNREACHABLE_STEP, Some(cx.span(w, name)), msg)
                    .label("unreachable")
                    .help(help)
                    .step(w.name(), &name.value),
            );
        }
    }
}
