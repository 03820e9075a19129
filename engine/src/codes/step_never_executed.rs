//! G018: a step on the graph that no execution reaches.

declare_check! {
    /// ## What it does
    /// In the reachable states of a workflow with forks and joins (see G016), finds steps that
    /// no execution ever enters although a path leads to them on the graph (G004 reports steps
    /// with no path at all): typically the steps after a join whose branches can never all
    /// arrive together.
    ///
    /// ## Why is this bad?
    /// The step looks part of the process, but no case will ever get there: its work, its
    /// deadline and the outcomes after it are fiction.
    ///
    /// ## Example
    /// ```yaml
    /// val: { next: [ { when: rule.a, to: spar_a }, { else: spar_b } ] }   # a choice, not a fork
    /// spar_a: { next: samman }
    /// spar_b: { next: samman }
    /// samman: { kind: join, next: klar }   # waits for two branches; only one ever comes
    /// ```
    ///
    /// ## Use instead
    /// Use a `fork` when both branches run, or make the meeting point a task when only one does.
    pub static STEP_NEVER_EXECUTED = ("G018", StepNeverExecuted, Error);
}
