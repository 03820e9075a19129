//! G017: a case that ends while work is still active in another branch.

declare_check! {
    /// ## What it does
    /// In the reachable states of a workflow with forks (see G016), finds an `end` step that a
    /// branch reaches while other branches still hold work, and shows the path to it.
    ///
    /// ## Why is this bad?
    /// The case is given its outcome and looks finished, while another branch goes on: a unit
    /// keeps working on a closed case, or the outcome is overwritten when that branch ends.
    ///
    /// ## Example
    /// ```yaml
    /// delning: { kind: fork, next: [manadscykel, arbetsmarknad] }
    /// arbetsmarknad: { next: egen_forsorjning }
    /// egen_forsorjning: { kind: end, outcome: egen_forsorjning }   # the monthly cycle goes on
    /// ```
    ///
    /// ## Use instead
    /// Lead the branches to a `join` and end the case after it.
    pub static IMPROPER_COMPLETION = ("G017", ImproperCompletion, Error);
}
