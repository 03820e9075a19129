//! G007: an end step with transitions, triggers or answers.

declare_check! {
    /// ## What it does
    /// Reports a `kind: end` step that also has `next`, `on`, `refer_to` or `returns`.
    ///
    /// ## Why is this bad?
    /// An end closes the workflow with its `outcome`; the transitions after it are never taken,
    /// so whatever the designer meant to happen next (a return to the referrer, a follow-up)
    /// does not happen.
    ///
    /// ## Example
    /// ```yaml
    /// avslut: { kind: end, outcome: egen_forsorjning, next: uppfoljning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// avslut:      { next: uppfoljning }
    /// uppfoljning: { next: klar }
    /// klar:        { kind: end, outcome: egen_forsorjning }
    /// ```
    pub static END_HAS_TRANSITIONS = ("G007", EndHasTransitions, Error);
}
