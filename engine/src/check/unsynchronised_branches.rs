//! G023: two branches of a fork meet in a step that is not a join.

use crate::codes::UNSYNCHRONISED_BRANCHES;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for s in sound {
        if let Some((at, path)) = &s.unbounded {
            if !seen.contains(at) {
                seen.push(*at);
                let (w, name) = cx.step_at(*at);
                out.push(
                    Diagnostic::new(
                        &UNSYNCHRONISED_BRANCHES,
                        Some(cx.span(w, name)),
                        format!("branches pile up at `{}` without bound: {path}, and the same moves can be repeated for ever, each time leaving one more", name.value),
                    )
                    .label("one more branch on every round")
                    .help("a fork inside a loop starts new branches on every round: join them before the loop goes round, or move the fork out of the loop")
                    .step(w.name(), &name.value),
                );
            }
        }
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
