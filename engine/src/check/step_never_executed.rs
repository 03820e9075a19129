//! G018: a step the graph leads to but no execution reaches.

use crate::codes::STEP_NEVER_EXECUTED;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::semantics::At;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let reach = cx.graph.reachable();
    // A step is unreached only if no explored entry workflow reaches it; a workflow some net
    // did not explore (cut off, or not decided) says nothing.
    let mut candidates: Vec<At> = Vec::new();
    for s in sound {
        for &a in &s.unreached {
            if !candidates.contains(&a) {
                candidates.push(a);
            }
        }
    }
    for a in candidates {
        let explored_by: Vec<&Soundness> = sound
            .iter()
            .filter(|s| s.truncated.is_none() && s.explores(a.w as usize))
            .collect();
        if explored_by.is_empty() || explored_by.iter().any(|s| !s.unreached.contains(&a)) {
            continue;
        }
        let n = cx.graph.nodes[a.w as usize][a.s as usize];
        if !reach[n.index()] {
            continue; // G004
        }
        let (w, name) = cx.step_at(a);
        out.push(
            Diagnostic::new(
                &STEP_NEVER_EXECUTED,
                Some(cx.span(w, name)),
                format!("no execution of workflow `{}` reaches step `{}`, although the graph leads to it", w.name(), name.value),
            )
            .label("no case ever gets here")
            .help("a join before it waits for branches that never arrive together, or a wait before it listens for an event no step raises; use a fork, or a task instead of the join")
            .step(w.name(), &name.value),
        );
    }
}
