//! G020: a workflow that extends a base removes a step that a step it keeps or adds still
//! points to.

declare_check! {
    /// ## What it does
    /// Reports a step named under `remove:` in a workflow that extends a base workflow, when a
    /// step that is kept (inherited or replaced) or added still leads to it: in `next`, in a
    /// wait's `on`, in a referral's `returns`, as a deadline's `from`, or as the workflow's
    /// `start`. The diagnostic stands at the `remove:` entry and points at each place that
    /// still uses the step, in whichever file (base or override) it is written.
    ///
    /// ## Why is this bad?
    /// Removing a step from the shared process does not remove the ways into it. A case would
    /// follow the transition and find no step: it gets stuck where the base still expects the
    /// removed work to happen.
    ///
    /// ## Example
    /// ```yaml
    /// # workflows/common/ame.yaml (the base): ame_inskrivning → kartlaggning → val_av_insats
    /// # workflows/hedemora/ame.yaml:
    /// workflow: ame
    /// remove: [kartlaggning]        # the base's ame_inskrivning still has `next: kartlaggning`
    /// ```
    ///
    /// ## Use instead
    /// Replace the steps that led to the removed one, so that nothing points to it any more:
    /// ```yaml
    /// workflow: ame
    /// remove: [kartlaggning]
    /// steps:
    ///   ame_inskrivning: { actor: arbetscoach, next: val_av_insats }
    /// ```
    pub static REMOVED_STEP_STILL_USED = ("G020", RemovedStepStillUsed, Error);
}
