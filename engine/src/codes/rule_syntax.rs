//! R001: a rule file or an inline condition that is not valid Rhai.

declare_check! {
    /// ## What it does
    /// Compiles every `*.rhai` rule file and every inline condition (`when:` that is not
    /// `rule.NAME`) once, and reports each syntax error at its line and column.
    ///
    /// ## Why is this bad?
    /// A condition that does not compile cannot route any case; finding it when the first case
    /// reaches it would be far too late.
    ///
    /// ## Example
    /// ```yaml
    /// next:
    ///   - { when: "case.arbetsformaga >= ", to: kartlaggning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// next:
    ///   - { when: "case.arbetsformaga >= params.min_arbetsformaga", to: kartlaggning }
    /// ```
    pub static RULE_SYNTAX = ("R001", RuleSyntax, Error);
}
