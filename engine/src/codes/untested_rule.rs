//! R006: a rule that a workflow uses but no rule test exercises.

declare_check! {
    /// ## What it does
    /// Warns about a rule named in a workflow condition (`when: rule.NAME`) for which no
    /// `*.test.yaml` in the municipality's rule folders has a test.
    ///
    /// ## Why is this bad?
    /// `steg check` can only evaluate a rule through its tests. An untested rule may loop, fail
    /// on a field the case does not have, or decide the threshold's boundary the wrong way, and
    /// nobody finds out until a case reaches it.
    ///
    /// ## Example
    /// ```yaml
    /// next:
    ///   - { when: rule.arbetsformaga_minst_25, to: anvisning_ame }   # no test names it
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # rules/<municipality>/arbetsmarknad.test.yaml
    /// tests:
    ///   - { rule: arbetsformaga_minst_25, arende: { arbetsformaga: 0.24 }, expect: false }
    ///   - { rule: arbetsformaga_minst_25, arende: { arbetsformaga: 0.25 }, expect: true }
    /// ```
    pub static UNTESTED_RULE = ("R006", UntestedRule, Warning);
}
