//! S001: a file that is not valid YAML (or cannot be read as text).

declare_check! {
    /// ## What it does
    /// Reports a configuration file that is not well-formed YAML: a missing colon or bracket, a
    /// tab used for indentation, text that is not UTF-8, a file that cannot be opened.
    ///
    /// ## Why is this bad?
    /// Nothing in the file can be used, so the municipality is not checked further until it is
    /// fixed. The error points at the place where the YAML reader gave up, which is usually at or
    /// just after the mistake.
    ///
    /// ## Example
    /// ```yaml
    /// steps:
    ///   ansokan: { next: [utredning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// steps:
    ///   ansokan: { next: [utredning] }
    /// ```
    pub static YAML_SYNTAX = ("S001", YamlSyntax, Error);
}
