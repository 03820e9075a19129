//! R003: a rule that fails when evaluated: endless loop, endless recursion, a value too large,
//! division by zero, a type error, a field the case does not have.

declare_check! {
    /// ## What it does
    /// Reports a rule whose evaluation fails, with the rule, its file and line, and the case it
    /// was evaluated for. Rules run in a sandbox: at most 1 000 000 operations and 1 second per
    /// evaluation, call depth 32, strings of 64 KiB, arrays and maps of 10 000 entries, no
    /// modules, no `eval`, no clock, no files, no network. `steg check` and `steg test`
    /// evaluate every rule that has tests; `steg run` and `steg simulate` report the rule and the
    /// case and go on with the other cases.
    ///
    /// ## Why is this bad?
    /// A rule that cannot give an answer cannot route a case: the person's case stops at the
    /// step whose condition failed.
    ///
    /// ## Example
    /// ```rhai
    /// fn franvaro(arende, params) {
    ///     arende.missade_besk >= params.franvaro_missade_besok   // misspelt field
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```rhai
    /// fn franvaro(arende, params) {
    ///     arende.missade_besok >= params.franvaro_missade_besok
    /// }
    /// ```
    pub static RULE_FAILED = ("R003", RuleFailed, Error);
}
