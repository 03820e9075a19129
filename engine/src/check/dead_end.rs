//! G005: a step that is not an end and has no way out.

use crate::codes::DEAD_END;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::StepKind;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for (_, w, name, step) in cx.steps() {
        let kind = step.kind();
        if kind == StepKind::End {
            continue;
        }
        if !step.transitions().is_empty() || !step.on.is_empty() || !step.returns.is_empty() {
            continue;
        }
        let help = match kind {
            StepKind::Wait => "add `on:` with the events or timers that move the case on (`- { event: E, to: STEP }`, `- { after: 30d, to: STEP }`)",
            StepKind::Referral => "add `returns:` mapping each answer of the referred workflow to the step the case goes to",
            _ => "add `next: STEP`, or make it `kind: end` with an `outcome` if the case ends here",
        };
        out.push(
            Diagnostic::new(
                &DEAD_END,
                Some(cx.span(w, name)),
                format!("step `{}` of workflow `{}` is a dead end: a case that gets here can never leave", name.value, w.name()),
            )
            .label(format!("{} with no way out", kind.as_str()))
            .help(help)
            .step(w.name(), &name.value),
        );
    }
}
