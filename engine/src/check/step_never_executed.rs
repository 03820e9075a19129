//! G018: a step on the graph that no execution reaches.

use crate::codes::STEP_NEVER_EXECUTED;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let reach = cx.graph.reachable();
    for s in sound {
        let w = &cx.m.workflows[s.workflow];
        for &si in &s.unreached {
            let n = cx.graph.nodes[s.workflow][si];
            if !reach[n.index()] {
                continue; // G004
            }
            let (name, _) = &w.def.steps.0[si];
            out.push(
                Diagnostic::new(
                    &STEP_NEVER_EXECUTED,
                    Some(cx.span(w, name)),
                    format!("no execution of workflow `{}` reaches step `{}`, although the graph leads to it", w.name(), name.value),
                )
                .label("no case ever gets here")
                .help("a join before it waits for branches that never arrive together; use a fork, or a task instead of the join")
                .step(w.name(), &name.value),
            );
        }
    }
}
