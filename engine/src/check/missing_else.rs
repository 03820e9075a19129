//! G011: a choice whose conditions may all be false.

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::{Guard, StepKind};

declare_check! {
    /// ## What it does
    /// Warns about a step whose transitions all have conditions (`when:`) and none is `else`.
    ///
    /// ## Why is this bad?
    /// When no condition holds for a case, for instance a person whose arbetsförmåga has not
    /// been assessed yet, the case has nowhere to go and stops at this step at run time.
    ///
    /// ## Example
    /// ```yaml
    /// bedomning:
    ///   next:
    ///     - { when: rule.minst_25_procent, to: ame }
    ///     - { when: rule.under_25_procent, to: coachingteam }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// bedomning:
    ///   next:
    ///     - { when: rule.minst_25_procent, to: ame }
    ///     - { else: coachingteam }
    /// ```
    pub static MISSING_ELSE = ("G011", MissingElse, Warning);
}

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
