//! G019: a workflow whose reachable states exceed the bound of the soundness check.

use crate::codes::STATE_SPACE_TOO_LARGE;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::{Soundness, MAX_STATES};

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    for s in sound.iter().filter(|s| s.truncated) {
        let w = &cx.m.workflows[s.workflow];
        out.push(
            Diagnostic::new(
                &STATE_SPACE_TOO_LARGE,
                Some(cx.span(w, &w.def.workflow)),
                format!("workflow `{}` has more than {MAX_STATES} reachable states; deadlocks and unreached steps were not looked for", w.name()),
            )
            .label("too many parallel states to explore")
            .help("keep forks out of loops and join parallel branches early"),
        );
    }
}
