//! G010: fields that do not fit the step's kind, and transition lists that cannot work.

declare_check! {
    /// ## What it does
    /// Reports a step whose fields contradict its `kind`: `on` on a step that is not a wait,
    /// `refer_to` or `returns` on a step that is not a referral (or a referral without
    /// `refer_to`), `outcome` on a step that is not an end (or an end without one), conditions
    /// on a fork's branches, a fork with fewer than two branches, an `else` that is not the last
    /// transition, and transitions after an unconditional one (they are never taken). A trigger
    /// must be exactly one of `event`, `after` or `every` (reported as S003).
    ///
    /// ## Why is this bad?
    /// The engine follows the kind; the extra fields are silently ignored, so the process runs
    /// differently from how it reads.
    ///
    /// ## Example
    /// ```yaml
    /// utredning:
    ///   next:
    ///     - { else: avslag }
    ///     - { when: rule.ratt_till_bistand, to: beslut }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// utredning:
    ///   next:
    ///     - { when: rule.ratt_till_bistand, to: beslut }
    ///     - { else: avslag }
    /// ```
    pub static STEP_KIND_MISMATCH = ("G010", StepKindMismatch, Error);
}
