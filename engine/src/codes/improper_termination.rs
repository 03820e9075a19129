//! N002: a net that can leave tokens behind when it ends, or pile them up without bound.

declare_check! {
    /// ## What it does
    /// In the soundness decision of a PNML net (see N001), reports a reachable marking that
    /// holds a final marking and more (a branch still works when the case has ended), a place
    /// that holds two tokens where each end may hold one (a lack of synchronisation, in the
    /// several-sinks reading), or a loop that adds tokens without bound (a marking strictly
    /// above an earlier one on its own path), each with the firing sequence that shows it.
    ///
    /// ## Why is this bad?
    /// The case is closed while work on it goes on, an activity runs twice where the model
    /// means once, or work piles up with every round of a loop.
    ///
    /// ## Example
    /// ```text
    /// t: i → {p, q};  a: p → o;  b: q → o        after t, a, b the sink holds two tokens
    /// ```
    ///
    /// ## Use instead
    /// Join parallel branches (`{p, q} → o`) before the end, and keep forks out of loops that
    /// do not join them again.
    pub static IMPROPER_TERMINATION = ("N002", ImproperTermination, Error);
}
