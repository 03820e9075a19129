//! R004: a rule test whose rule returns something else than expected.

declare_check! {
    /// ## What it does
    /// Runs every rule test (`*.test.yaml` beside the rules) and reports each whose rule returns
    /// another value than `expect`, at the `expect` line. A test whose rule fails outright is
    /// reported as R003 at the failing line of the rule.
    ///
    /// ## Why is this bad?
    /// The test states what the rule must decide for a given case (the 25 % threshold, the sixth
    /// month of jobbstimulans, the riksnorm for a household); a rule that disagrees decides
    /// cases wrongly.
    ///
    /// ## Example
    /// ```yaml
    /// tests:
    ///   - rule: arbetsformaga_racker_for_ame
    ///     arende: { arbetsformaga: 0.24 }
    ///     expect: true        # but 24 % is below the 25 % threshold
    /// ```
    ///
    /// ## Use instead
    /// Fix the rule or the expectation, whichever the source says is wrong.
    pub static RULE_TEST_FAILED = ("R004", RuleTestFailed, Error);
}
