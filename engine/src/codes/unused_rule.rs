//! R002: a municipality's own rule that no workflow uses.

declare_check! {
    /// ## What it does
    /// Reports a public function in the municipality's own rule folder (`rules/<name>/`) that
    /// no condition in its workflows names as `rule.NAME` and no inline condition calls. Shared
    /// rules (`rules/common`) are a library and are not reported.
    ///
    /// ## Why is this bad?
    /// An unused rule is usually a rule whose step was renamed or removed, or a condition that
    /// was meant to use it but names another; either way the written policy is not applied.
    ///
    /// ## Example
    /// ```rhai
    /// fn narvaro_brister(case, params) { case.missade_besok >= params.franvaro_besok }
    /// ```
    /// with no `when: rule.narvaro_brister` anywhere.
    ///
    /// ## Use instead
    /// Name it from the step it decides, or make it `private fn` if it is a helper of other rules.
    pub static UNUSED_RULE = ("R002", UnusedRule, Warning);
}
