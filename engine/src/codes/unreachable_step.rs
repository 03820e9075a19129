//! G004: a step no case can reach from the start of an entry workflow.

declare_check! {
    /// ## What it does
    /// Follows every transition, trigger and referral forward from the start of each entry
    /// workflow (`entry:` in municipality.yaml, or every workflow no referral points to) and
    /// reports the steps it never reaches. A referral's answers count only when the referred
    /// workflow can end with that outcome.
    ///
    /// ## Why is this bad?
    /// An unreachable step is work the designer expects to happen that never does: a plan
    /// review nobody is routed to, a return to the referrer that no path leads to.
    ///
    /// ## Example
    /// ```yaml
    /// start: ansokan
    /// steps:
    ///   ansokan: { next: utredning }
    ///   utredning: { next: beslut }
    ///   handlingsplan: { next: beslut }   # nothing leads here
    /// ```
    ///
    /// ## Use instead
    /// Add the transition that should lead to the step, or remove the step.
    pub static UNREACHABLE_STEP = ("G004", UnreachableStep, Error);
}
