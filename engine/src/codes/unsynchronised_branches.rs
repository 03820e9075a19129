//! G023: two branches of a fork meet in a step that is not a join, which then runs twice.

declare_check! {
    /// ## What it does
    /// Exploring every reachable state of a case, reports a step that holds two branches at
    /// once: the branches of a fork meet again in a task, a decision or a wait instead of a
    /// join (lack of synchronisation), or a second branch from the same input reaches a join
    /// before it fired. The path shows how.
    ///
    /// ## Why is this bad?
    /// The step runs twice for one case: two decisions, two referrals, two payments, and every
    /// step after it twice, until the case ends with work still active.
    ///
    /// ## Example
    /// ```yaml
    /// delning: { kind: fork, next: [utredning, kontroll] }
    /// utredning: { next: beslut }
    /// kontroll: { next: beslut }         # both branches arrive at the decision
    /// beslut: { kind: decision, ... }
    /// ```
    ///
    /// ## Use instead
    /// Bring the branches together in a join before the step
    /// (`samman: { kind: join, next: beslut }`), or do not fork.
    pub static UNSYNCHRONISED_BRANCHES = ("G023", UnsynchronisedBranches, Error);
}
