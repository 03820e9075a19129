//! G019: a workflow whose reachable states exceed the bound of the soundness check.

declare_check! {
    /// ## What it does
    /// The soundness checks (G016–G018) explore every reachable state of a workflow with forks
    /// and joins. When there are more than 100 000 states (many parallel branches, or a fork
    /// inside a loop that keeps adding branches), the exploration stops and this warning says
    /// that deadlocks and unreached steps were not looked for.
    ///
    /// ## Why is this bad?
    /// Nothing is known about the workflow's soundness. States multiply with parallel branches
    /// (a fork of k branches of n steps has about (n + 1)^k states), and a fork in a loop makes
    /// their number unbounded, which is itself usually a mistake.
    ///
    /// ## Example
    /// ```yaml
    /// manad: { kind: fork, next: [utbetalning, manad] }   # a new branch every month, for ever
    /// ```
    ///
    /// ## Use instead
    /// Keep forks out of loops, join branches early, or split the workflow with referrals.
    pub static STATE_SPACE_TOO_LARGE = ("G019", StateSpaceTooLarge, Warning);
}
