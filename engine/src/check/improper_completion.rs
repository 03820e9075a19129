//! G017: a case that ends while work is still active in another branch.

use crate::codes::IMPROPER_COMPLETION;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(cx: &Cx, sound: &[Soundness], out: &mut Vec<Diagnostic>) {
    for s in sound {
        let w = &cx.m.workflows[s.workflow];
        for (end, active, path) in &s.improper {
            let (name, _) = &w.def.steps.0[*end];
            let active: Vec<String> = active
                .iter()
                .map(|&a| format!("`{}`", w.def.steps.0[a].0.value))
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
