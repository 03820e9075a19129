//! G002: two definitions with the same id.

declare_check! {
    /// ## What it does
    /// Reports an id defined twice where ids must be unique: two steps of one workflow, two
    /// workflows of one municipality, two units, roles, parameters, events or sources, two
    /// answers of one referral, two rules of the same name.
    ///
    /// ## Why is this bad?
    /// Only one of the two can be used; which one is an accident of file order. A designer who
    /// edits the other sees no effect.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   plan: { actor: arbetsmarknadshandlaggare, next: insats }
    ///   plan: { actor: socialsekreterare, next: uppfoljning }
    /// ```
    ///
    /// ## Use instead
    /// Give each its own id (`plan`, `plan_revidering`), or merge them.
    pub static DUPLICATE_ID = ("G002", DuplicateId, Error);
}
