//! G011: a choice whose conditions may all be false.

declare_check! {
    /// ## What it does
    /// Warns about a step whose transitions all have conditions (`when:`) and none is `else`.
    ///
    /// ## Why is this bad?
    /// When no condition holds for a case, for instance a person whose arbetsförmåga has not
    /// been assessed yet, the case has nowhere to go and stops at this step at run time.
    ///
    /// ## Example
    /// ```yaml
    /// bedomning:
    ///   next:
    ///     - { when: rule.minst_25_procent, to: ame }
    ///     - { when: rule.under_25_procent, to: coachingteam }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// bedomning:
    ///   next:
    ///     - { when: rule.minst_25_procent, to: ame }
    ///     - { else: coachingteam }
    /// ```
    pub static MISSING_ELSE = ("G011", MissingElse, Warning);
}
