//! G019: soundness not decided within the budget.

use crate::codes::STATE_SPACE_TOO_LARGE;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    for s in sound {
        let w = &cx.m.workflows[s.workflow];
        let why = match (s.undecided(), s.cut.first()) {
            (Some(limit), _) => format!(
                "a case of workflow `{}` has {limit} (explored {}); soundness is not decided",
                w.name(),
                s.states
            ),
            (None, Some(&referral)) => {
                let (_, name) = cx.step_at(referral);
                format!(
                    "referrals from workflow `{}` nest deeper than {} (at `{}`); soundness is not decided beyond that",
                    w.name(),
                    crate::semantics::MAX_DEPTH,
                    name.value
                )
            }
            (None, None) => continue,
        };
        out.push(
            Diagnostic::new(
                &STATE_SPACE_TOO_LARGE,
                Some(cx.span(w, &w.def.workflow)),
                why,
            )
            .label("not decided")
            .help(
                "keep forks out of loops, join parallel branches early, and avoid referral cycles",
            ),
        );
    }
}
