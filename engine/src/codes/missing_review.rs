//! G013: an "every B reviewed within D" obligation that a case can break.

declare_check! {
    /// ## What it does
    /// Checks each obligation written `{ every: B, reviewed_by: R, within: D }`: after a case
    /// enters `B` (a plan) and after each review `R`, the next review must come within `D` for
    /// as long as the case is in `B`'s workflow (or until a step in `unless:`). It reports a
    /// path after which `R` can no longer come although the case goes on (a loop without a
    /// route to the review), a configuration with no step `R` at all, and a path on which `R`
    /// comes only after `D` even at the shortest declared times and timers.
    ///
    /// ## Why is this bad?
    /// A plan that is never followed up is a plan on paper: no one notices that it does not
    /// work. Auditors ask for follow-up at a stated interval, with an assessment of whether the
    /// goals were met; a configuration without the route cannot do it.
    ///
    /// ## Example
    /// ```yaml
    /// obligations:
    ///   plan_revideras:
    ///     every: plan
    ///     reviewed_by: uppfoljning
    ///     within: 3mo
    /// # ... but no timer, condition or event leads from the monthly cycle to `uppfoljning`.
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// insats:
    ///   kind: wait
    ///   on:
    ///     - { every: 3mo, to: uppfoljning }
    /// ```
    pub static MISSING_REVIEW = ("G013", MissingReview, Warning);
}
