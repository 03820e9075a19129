//! G003: a workflow without a `start`, or whose `start` names no step; a municipality with no
//! workflow.

declare_check! {
    /// ## What it does
    /// Reports a workflow with no `start:` field, a `start` that names no step of the workflow,
    /// a workflow with no steps at all, or a municipality folder with no workflow file (and no
    /// base that has one).
    ///
    /// ## Why is this bad?
    /// A case that is referred to the workflow, or that applies, has no step to begin in.
    ///
    /// ## Example
    /// ```yaml
    /// workflow: ame
    /// steps:
    ///   inskrivning: { actor: arbetsmarknadshandlaggare, next: kartlaggning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// workflow: ame
    /// start: inskrivning
    /// steps:
    ///   inskrivning: { actor: arbetsmarknadshandlaggare, next: kartlaggning }
    /// ```
    pub static INVALID_START = ("G003", InvalidStart, Error);
}
