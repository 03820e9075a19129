//! S003: a field whose value has the wrong shape (a list where a name belongs, a bad duration).

declare_check! {
    /// ## What it does
    /// Reports a value that cannot mean anything in its place: a duration that is not one
    /// (`3 months`), an unknown step kind, a list where one name belongs, a trigger that is
    /// neither an event nor a timer, a required field left out, an id that is not lower-case
    /// ASCII (`Klar_Steg`, `klär`: ids are a lower-case letter, then lower-case letters, digits
    /// and `_`).
    ///
    /// ## Why is this bad?
    /// The engine cannot guess what was meant, and a wrong guess about a deadline or a kind of
    /// step would change what happens to people.
    ///
    /// ## Example
    /// ```yaml
    /// plan: { actor: arbetsmarknadshandlaggare, within: 3 months, next: insats }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// plan: { actor: arbetsmarknadshandlaggare, within: 3mo, next: insats }
    /// ```
    pub static INVALID_VALUE = ("S003", InvalidValue, Error);
}
