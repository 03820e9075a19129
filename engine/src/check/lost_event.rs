//! G022: an event of the case raised where no step can take it any more.

use crate::codes::LOST_EVENT;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::soundness::Soundness;

pub(crate) fn check(
    cx: &Cx,
    sound: &[Soundness],
    prog: &crate::semantics::Program,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen = Vec::new();
    for s in sound {
        for (e, path) in &s.lost_events {
            if seen.contains(e) {
                continue;
            }
            seen.push(*e);
            let info = &prog.events[*e as usize];
            // An event whose loss the configuration declares (`keep:`) is not reported.
            if info.keep.is_some() {
                continue;
            }
            let raiser = prog
                .steps()
                .find(|(_, st)| st.emits == Some(*e))
                .map(|(a, _)| a);
            let Some(raiser) = raiser else { continue };
            let (w, name) = cx.step_at(raiser);
            out.push(
                Diagnostic::new(
                    &LOST_EVENT,
                    Some(cx.span(w, name)),
                    format!(
                        "event `{}` raised here can be lost: after {path}, it is pending and no step that waits for it can come any more",
                        info.name
                    ),
                )
                .label("raises an event that may reach no one")
                .help(format!(
                    "stop raising `{}` once nothing can take it, route it to a step that can, or declare the loss with `keep:` on the event in municipality.yaml",
                    info.name
                ))
                .step(w.name(), &name.value),
            );
        }
    }
}
