//! G009: a referral to a workflow that never answers with an outcome the referral expects.

use super::Cx;
use crate::diagnostic::Diagnostic;

declare_check! {
    /// ## What it does
    /// For each referral to another workflow, computes the outcomes the referred workflow can
    /// actually end with (following its own referrals) and warns when none of them is among the
    /// referral's `returns`, including when the referred workflow can never end at all.
    ///
    /// ## Why is this bad?
    /// The referring unit waits for an answer that never comes: the person is "at AME" in the
    /// social worker's view for ever. Referrals that never come back are a finding in the
    /// audits this tool is built from. (Whether *every* outcome returns is a separate check.)
    ///
    /// ## Example
    /// ```yaml
    /// anvisning_ame:
    ///   kind: referral
    ///   refer_to: { workflow: ame }
    ///   returns: { aterremitterad: ny_bedomning }   # but ame only ends with `avslutad`
    /// ```
    ///
    /// ## Use instead
    /// Give the referred workflow an end whose `outcome` is expected back, or map its outcomes
    /// in `returns`.
    pub static REFERRAL_NEVER_RETURNS = ("G009", ReferralNeverReturns, Warning);
}

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
