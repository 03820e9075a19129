//! R007: a parameter of municipality.yaml that nothing reads.

declare_check! {
    /// ## What it does
    /// Reports a parameter (`parameters:` in municipality.yaml) that no rule reads
    /// (`params.NAME`), and no workflow, obligation, validation figure or simulation input
    /// names (`params.NAME` as a duration, a deadline or a timer). A base's parameters
    /// (`base: true`, `extends:`) are a library, as shared rules are, and are not reported.
    ///
    /// ## Why is this bad?
    /// A parameter carries a figure of the sources with its `source:`; one that nothing reads
    /// looks like policy the model applies, yet changing it (or `--set parameters.NAME=...`)
    /// changes nothing. It is usually a figure whose rule or deadline was written with the
    /// number itself, or a routine the model was meant to follow and does not.
    ///
    /// ## Example
    /// ```yaml
    /// parameters:
    ///   plan_inom: { value: 3mo, source: "seed 004 l.14" }
    /// ```
    /// with the step's deadline written `within: 3mo`.
    ///
    /// ## Use instead
    /// Read it where the figure applies (`within: { duration: params.plan_inom, ... }`, or
    /// `params.plan_inom` in a rule), or remove it.
    pub static UNUSED_PARAMETER = ("R007", UnusedParameter, Warning);
}
