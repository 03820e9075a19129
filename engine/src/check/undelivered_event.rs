//! G015: an "event E reaches role R" obligation that the handling of the event can break.

use crate::codes::UNDELIVERED_EVENT;

use super::{obligation_diagnostic, Cx};
use crate::diagnostic::Diagnostic;
use crate::obligation::Evaluation;

pub(crate) fn check(cx: &Cx, ev: &Evaluation, out: &mut Vec<Diagnostic>) {
    for v in ev.verdicts.iter().filter(|v| v.kind == "event") {
        for f in &v.findings {
            out.push(obligation_diagnostic(
                cx,
                &UNDELIVERED_EVENT,
                v,
                f,
                "the event can miss its receiver",
            ));
        }
    }
}
