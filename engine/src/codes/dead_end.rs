//! G005: a step that is not an end and has no way out.

declare_check! {
    /// ## What it does
    /// Reports a step that is not `kind: end` and has no way out written: no `next`, no `on`
    /// triggers (for a wait), no `returns` (for a referral).
    ///
    /// ## Why is this bad?
    /// A case that reaches the step stays there forever: the person is neither helped on nor
    /// closed, which is exactly the "case that is never followed up" the auditors find.
    ///
    /// ## Example
    /// ```yaml
    /// kartlaggning: { actor: arbetsmarknadshandlaggare }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kartlaggning: { actor: arbetsmarknadshandlaggare, next: val_av_insats }
    /// ```
    /// or, if the case really ends there, `kind: end` with an `outcome`.
    pub static DEAD_END = ("G005", DeadEnd, Error);
}
