//! G011: a choice whose conditions may all be false.

use crate::codes::MISSING_ELSE;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::{Guard, StepKind};

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for (_, w, name, step) in cx.steps() {
        if step.kind() == StepKind::Fork {
            continue;
        }
        let ts = step.transitions();
        if ts.is_empty() || !ts.iter().all(|t| matches!(t.guard, Guard::When(_))) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &MISSING_ELSE,
                Some(cx.span(w, name)),
                format!("step `{}` of workflow `{}` has only conditional transitions; a case for which none holds is stuck", name.value, w.name()),
            )
            .label("no `else`")
            .help("add `- { else: STEP }` as the last transition")
            .step(w.name(), &name.value),
        );
    }
}
