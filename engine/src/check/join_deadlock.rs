//! G016: a branch that can wait for ever.

use crate::codes::JOIN_DEADLOCK;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for s in sound {
        for d in &s.deadlocks {
            if seen.contains(&d.at) {
                continue;
            }
            seen.push(d.at);
            let (w, name) = cx.step_at(d.at);
            let (message, label, help) = if d.needed > 0 {
                (
                    format!("join `{}` can wait for ever: after {}, it holds {} of {} inputs and the others can no longer arrive", name.value, d.path, d.arrived, d.needed),
                    "this join can wait for ever",
                    "lead every branch of the fork to this join, or end the case only after it",
                )
            } else if w.def.steps.0[d.at.s as usize].1.kind() != crate::model::StepKind::Wait {
                (
                    format!("the branch at `{}` can no longer reach an end: after {}, the case can never complete", name.value, d.path),
                    "no end can be reached from here",
                    "make sure every branch can still reach its join or an end",
                )
            } else {
                (
                    format!("wait `{}` can wait for ever: after {}, nothing it listens for can come any more", name.value, d.path),
                    "this wait can wait for ever",
                    "add a timer or an event from outside to the wait, or make sure a step that raises its event can still run",
                )
            };
            out.push(
                Diagnostic::new(&JOIN_DEADLOCK, Some(cx.span(w, name)), message)
                    .label(label)
                    .help(help)
                    .step(w.name(), &name.value),
            );
        }
    }
}
