//! G017: an end reached while other branches are still working.

use crate::codes::IMPROPER_COMPLETION;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    let mut seen = Vec::new();
    for s in sound {
        for (end, active, path) in &s.improper {
            if seen.contains(end) {
                continue;
            }
            seen.push(*end);
            let (w, name) = cx.step_at(*end);
            let active: Vec<String> = active
                .iter()
                .map(|&a| format!("`{}`", cx.step_at(a).1.value))
                .collect();
            out.push(
                Diagnostic::new(
                    &IMPROPER_COMPLETION,
                    Some(cx.span(w, name)),
                    format!(
                        "the case can end at `{}` while work is still active at {}: {path}",
                        name.value,
                        active.join(", ")
                    ),
                )
                .label("reached while other branches are still active")
                .help("join the parallel branches before this end")
                .step(w.name(), &name.value),
            );
        }
    }
}
