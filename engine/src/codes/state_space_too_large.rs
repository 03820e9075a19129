//! G019: soundness not decided: the reachable states exceed the budget of the check.

declare_check! {
    /// ## What it does
    /// The soundness checks (G016–G018, G022, G023) explore every reachable state of a case of
    /// each entry workflow. When the states exceed the budget (200 000 states or 256 MiB, many
    /// parallel branches, or a fork inside a loop that keeps adding branches), or referrals
    /// nest deeper than 8, the exploration stops and soundness is *not decided*: this error
    /// says so, with the bound that was hit. A verdict steg cannot establish is never reported
    /// as a pass.
    ///
    /// ## Why is this bad?
    /// Nothing is known about the workflow's soundness: it may deadlock or end with work left. States multiply with parallel branches
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
    pub static STATE_SPACE_TOO_LARGE = ("G019", StateSpaceTooLarge, Error);
}
