//! S004: a file too large, too deeply nested or with too many alias expansions.

declare_check! {
    /// ## What it does
    /// Refuses a file larger than 32 MiB (YAML) or 1 MiB (Rhai), nested deeper than 32 levels,
    /// or whose YAML aliases would expand into far more data than the file holds (an "alias
    /// bomb").
    ///
    /// ## Why is this bad?
    /// No configuration needs that much; such a file is a mistake (a data dump saved in the wrong
    /// folder) or an attack, and reading it whole could exhaust memory.
    ///
    /// ## Example
    /// ```yaml
    /// a: &a [x, x, x, x, x, x, x, x, x, x]
    /// b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
    /// # ... nine levels deep: a billion x from a few hundred bytes
    /// ```
    ///
    /// ## Use instead
    /// Write the configuration out; use anchors only for small shared fragments.
    pub static INPUT_TOO_LARGE = ("S004", InputTooLarge, Error);
}
