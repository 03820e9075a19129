//! G023: two branches of a fork meet in a step that is not a join.

use crate::codes::UNSYNCHRONISED_BRANCHES;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for s in sound {
        for (at, path, join) in &s.unsafe_steps {
            if seen.contains(at) {
                continue;
            }
            seen.push(*at);
            let (w, name) = cx.step_at(*at);
            let message = if *join {
                format!(
                    "a second branch from the same input reaches join `{}` before it fired: {path}",
                    name.value
                )
            } else {
                format!(
                    "two branches meet at `{}`, which is not a join, so it runs twice: {path}",
                    name.value
                )
            };
            out.push(
                Diagnostic::new(&UNSYNCHRONISED_BRANCHES, Some(cx.span(w, name)), message)
                    .label("reached by two branches at once")
                    .help("bring the branches together in a join before this step, or do not fork")
                    .step(w.name(), &name.value),
            );
        }
    }
}
