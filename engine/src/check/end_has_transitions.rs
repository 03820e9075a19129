//! G007: an end step with transitions, triggers or answers.

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::StepKind;

declare_check! {
    /// ## What it does
    /// Reports a `kind: end` step that also has `next`, `on`, `refer_to` or `returns`.
    ///
    /// ## Why is this bad?
    /// An end closes the workflow with its `outcome`; the transitions after it are never taken,
    /// so whatever the designer meant to happen next (a return to the referrer, a follow-up)
    /// does not happen.
    ///
    /// ## Example
    /// ```yaml
    /// avslut: { kind: end, outcome: egen_forsorjning, next: uppfoljning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// avslut:      { next: uppfoljning }
    /// uppfoljning: { next: klar }
    /// klar:        { kind: end, outcome: egen_forsorjning }
    /// ```
    pub static END_HAS_TRANSITIONS = ("G007", EndHasTransitions, Error);
}

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
