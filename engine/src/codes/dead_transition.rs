//! N003: a transition of a net that no execution fires.

declare_check! {
    /// ## What it does
    /// In the soundness decision of a PNML net (see N001), when every reachable marking has
    /// been explored, reports each transition that is enabled in none of them.
    ///
    /// ## Why is this bad?
    /// The activity is drawn but never happens: whatever the model says about it is fiction,
    /// and a workflow net with such a transition is not sound.
    ///
    /// ## Example
    /// ```text
    /// a: p → q;  b: {q, r} → o        r is never marked: b never fires
    /// ```
    ///
    /// ## Use instead
    /// Give the transition the tokens it waits for (here an arc that marks `r`), or remove it.
    pub static DEAD_TRANSITION = ("N003", DeadTransition, Error);
}
