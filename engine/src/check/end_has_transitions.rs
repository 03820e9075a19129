//! G007: an end step with transitions, triggers or answers.

use crate::codes::END_HAS_TRANSITIONS;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::StepKind;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for (_, w, name, step) in cx.steps() {
        if step.kind() != StepKind::End {
            continue;
        }
        let field = if let Some(t) = step.transitions().first() {
            Some(("next", t.to.loc))
        } else if let Some(t) = step.on.first() {
            Some(("on", t.to.loc))
        } else if let Some((k, _)) = step.returns.iter().next() {
            Some(("returns", k.loc))
        } else {
            step.refer_to
                .as_ref()
                .and_then(|r| r.workflow.as_ref().or(r.unit.as_ref()))
                .map(|n| ("refer_to", n.loc))
        };
        if let Some((field, loc)) = field {
            out.push(
                Diagnostic::new(
                    &END_HAS_TRANSITIONS,
                    Some(crate::diagnostic::Span { file: w.file, loc }),
                    format!(
                        "end step `{}` of workflow `{}` has `{field}`, which is never followed",
                        name.value,
                        w.name()
                    ),
                )
                .label("never taken: the workflow has ended")
                .related(cx.span(w, name), "this step is `kind: end`")
                .help("remove it, or make the step a task and move the end after it")
                .step(w.name(), &name.value),
            );
        }
    }
}
