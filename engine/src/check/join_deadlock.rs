//! G016: a join that can wait for ever.

use crate::codes::JOIN_DEADLOCK;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    for s in sound {
        let w = &cx.m.workflows[s.workflow];
        for (join, arrived, needed, path) in &s.deadlocks {
            let (name, _) = &w.def.steps.0[*join];
            out.push(
                Diagnostic::new(
                    &JOIN_DEADLOCK,
                    Some(cx.span(w, name)),
                    format!("join `{}` can wait for ever: after {path}, it holds {arrived} of {needed} branches and the others can no longer arrive", name.value),
                )
                .label("this join can wait for ever")
                .help("lead every branch of the fork to this join, or end the case only after it")
                .step(w.name(), &name.value),
            );
        }
    }
}
