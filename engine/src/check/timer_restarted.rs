//! G024: an `after` timer restarted by a shorter trigger that always leads back.

use crate::codes::TIMER_RESTARTED;

use super::Cx;
use crate::diagnostic::Diagnostic;
use crate::model::StepKind;
use crate::semantics::{Anchor, At, Program, Trig};

pub(crate) fn check(cx: &Cx, prog: &Program, out: &mut Vec<Diagnostic>) {
    for (at, step) in prog.steps() {
        if step.kind != StepKind::Wait {
            continue;
        }
        for (i, (long, _)) in step.on.iter().enumerate() {
            let Trig::After(d, Anchor::Entry) = long else {
                continue;
            };
            // A shorter timer that is due first on every entry and leads back here.
            let shorter = step.on.iter().enumerate().find(|(j, (t, to))| {
                let period = match t {
                    Trig::Every(e, _) | Trig::After(e, Anchor::Entry) => *e,
                    _ => return false,
                };
                *j != i && period.max_days() < d.min_days() && leads_back(prog, *to, at)
            });
            let Some((_, (short, _))) = shorter else {
                continue;
            };
            let w = &cx.m.workflows[at.w as usize];
            let Some(after) = w.def.steps.0[at.s as usize]
                .1
                .on
                .get(i)
                .and_then(|t| t.after.as_ref())
            else {
                continue;
            };
            let (_, name) = cx.step_at(at);
            out.push(
                Diagnostic::new(
                    &TIMER_RESTARTED,
                    Some(cx.span(w, after)),
                    format!(
                        "`{}` counts from each entry into `{}`, and `{}` brings the case back into it sooner: it never fires",
                        long.label(prog),
                        name.value,
                        short.label(prog)
                    ),
                )
                .label("restarts before it is due")
                .help("say what it counts from: `from: first_entry` (the first entry during this stay), `from: case_start`, or a step id")
                .step(w.name(), &name.value),
            );
        }
    }
}

/// Whether the case can come back into `wait` from `from` within its workflow.
fn leads_back(prog: &Program, from: At, wait: At) -> bool {
    let mut seen = vec![from];
    let mut stack = vec![from];
    while let Some(a) = stack.pop() {
        if a == wait {
            return true;
        }
        for t in prog.step(a).targets() {
            if !seen.contains(&t) {
                seen.push(t);
                stack.push(t);
            }
        }
    }
    false
}
