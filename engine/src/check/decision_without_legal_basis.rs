//! G008: a decision that does not say what law or local decision it rests on.

use crate::codes::DECISION_WITHOUT_LEGAL_BASIS;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::StepKind;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    for (_, w, name, step) in cx.steps() {
        if step.kind() != StepKind::Decision {
            continue;
        }
        if step.legal_basis.as_ref().is_some_and(|b| !b.is_empty()) {
            continue;
        }
        out.push(
            Diagnostic::new(
                &DECISION_WITHOUT_LEGAL_BASIS,
                Some(cx.span(w, name)),
                format!(
                    "decision `{}` of workflow `{}` has no `legal_basis`",
                    name.value,
                    w.name()
                ),
            )
            .label("decision without a legal basis")
            .help("add `legal_basis:` naming the provision, e.g. \"SoL 4 kap. 4 §\"")
            .step(w.name(), &name.value),
        );
    }
}
