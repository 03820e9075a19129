//! S002: a field the language does not have, usually a typo.

declare_check! {
    /// ## What it does
    /// Reports a field name that does not exist at that place in a `municipality.yaml` or
    /// workflow file, and suggests the closest field that does.
    ///
    /// ## Why is this bad?
    /// A misspelt field is otherwise silently ignored: `nxt: utredning` would leave the step
    /// without a way out, and `legal_bais:` would leave a decision without its legal basis.
    ///
    /// ## Example
    /// ```yaml
    /// utredning: { actor: socialsekreterare, nxt: beslut_4_4 }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// utredning: { actor: socialsekreterare, next: beslut_4_4 }
    /// ```
    pub static UNKNOWN_FIELD = ("S002", UnknownField, Error);
}
