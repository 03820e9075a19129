//! G012: an "after A, B within D" obligation that a case can break.

use crate::codes::MISSING_FOLLOW_UP;

use super::{obligation_diagnostic, Cx};
use crate::diagnostic::Diagnostic;
use crate::obligation::Evaluation;

pub(crate) fn check(cx: &Cx, ev: &Evaluation, out: &mut Vec<Diagnostic>) {
    for v in ev.verdicts.iter().filter(|v| v.kind == "after") {
        for f in &v.findings {
            out.push(obligation_diagnostic(
                cx,
                &MISSING_FOLLOW_UP,
                v,
                f,
                "the follow-up can be missed",
            ));
        }
    }
}
