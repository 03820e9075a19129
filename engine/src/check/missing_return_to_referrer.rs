//! G014: a referral whose answer does not come back to the one who referred.

use crate::codes::MISSING_RETURN_TO_REFERRER;

use super::{obligation_diagnostic, Cx};
use crate::diagnostic::Diagnostic;
use crate::obligation::Evaluation;

pub(crate) fn check(cx: &Cx, ev: &Evaluation, out: &mut Vec<Diagnostic>) {
    for v in ev.verdicts.iter().filter(|v| v.kind == "referrals_return") {
        for f in &v.findings {
            out.push(obligation_diagnostic(
                cx,
                &MISSING_RETURN_TO_REFERRER,
                v,
                f,
                "an answer does not reach the referrer",
            ));
        }
    }
}
