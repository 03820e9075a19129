//! G013: an "every B reviewed within D" obligation that a case can break.

use crate::codes::MISSING_REVIEW;

use super::{obligation_diagnostic, Cx};
use crate::diagnostic::Diagnostic;
use crate::obligation::Evaluation;

pub(crate) fn check(cx: &Cx, ev: &Evaluation, out: &mut Vec<Diagnostic>) {
    for v in ev.verdicts.iter().filter(|v| v.kind == "every") {
        for f in &v.findings {
            out.push(obligation_diagnostic(
                cx,
                &MISSING_REVIEW,
                v,
                f,
                "the review can be missed",
            ));
        }
    }
}
