//! G001: a name that refers to nothing: a step, rule, role, unit, workflow, event or outcome.

declare_check! {
    /// ## What it does
    /// Resolves every name a configuration uses and reports those that are not defined: a
    /// transition's target step, a `rule.NAME` in a condition, a step's `actor` (role), a role's
    /// or step's `unit`, a referral's workflow, a trigger's event, a referral's expected outcome,
    /// a deadline's `from` step. Suggests the closest defined name.
    ///
    /// ## Why is this bad?
    /// A case that reaches a transition to a step that does not exist has nowhere to go; an
    /// unknown role or unit means the work is assigned to no one.
    ///
    /// ## Example
    /// ```yaml
    /// utredning: { actor: socialsekreterare, next: beslut_44 }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// utredning: { actor: socialsekreterare, next: beslut_4_4 }
    /// ```
    pub static UNKNOWN_REFERENCE = ("G001", UnknownReference, Error);
}
