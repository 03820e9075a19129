//! G009: a referral to a workflow that never answers with an outcome the referral expects.

use crate::codes::REFERRAL_NEVER_RETURNS;

use super::Cx;
use crate::diagnostic::Diagnostic;

pub(crate) fn check(cx: &Cx, out: &mut Vec<Diagnostic>) {
    let g = cx.graph;
    for (_, w, name, step) in cx.steps() {
        let Some(target) = step.refer_to.as_ref().and_then(|r| r.workflow.as_ref()) else {
            continue;
        };
        let Some(&tw) = g.workflow_index.get(&target.value) else {
            continue; // unknown workflow: G001
        };
        if g.starts[tw].is_none() {
            continue; // G003
        }
        let possible = &g.outcomes[tw];
        if step
            .returns
            .iter()
            .any(|(o, _)| possible.contains(&o.value))
        {
            continue;
        }
        let (message, help) = if possible.is_empty() {
            (
                format!(
                    "referral `{}` waits for workflow `{}`, which can never end",
                    name.value, target.value
                ),
                format!(
                    "give `{}` a reachable end step whose outcome is listed in `returns`",
                    target.value
                ),
            )
        } else {
            let list = possible
                .iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ");
            (
                format!(
                    "referral `{}` never gets an answer: workflow `{}` ends only with {list}",
                    name.value, target.value
                ),
                format!(
                    "map these outcomes in `returns:` (e.g. `{}: STEP`)",
                    possible.iter().next().map_or("", String::as_str)
                ),
            )
        };
        out.push(
            Diagnostic::new(&REFERRAL_NEVER_RETURNS, Some(cx.span(w, target)), message)
                .label("no answer from here ever comes back")
                .help(help)
                .step(w.name(), &name.value),
        );
    }
}
