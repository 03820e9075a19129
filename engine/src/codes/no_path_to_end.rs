//! G006: a reachable step from which no end of its workflow can be reached.

declare_check! {
    /// ## What it does
    /// Finds steps that a case can reach but from which no `end` step of the same workflow can
    /// be reached, whatever happens: loops with no exit, branches that only lead into dead ends,
    /// referrals whose answers never come. It reports the step where the case enters such a
    /// trap (the first step from which there is no way to finish), and lists the steps of the
    /// trap.
    ///
    /// ## Why is this bad?
    /// A case that enters the trap can never be closed: the person stays "in process" for ever,
    /// and every KPI built on finished cases silently leaves them out.
    ///
    /// ## Example
    /// ```yaml
    /// insats:       { kind: wait, on: [ { every: 1mo, to: uppfoljning } ] }
    /// uppfoljning:  { next: insats }   # no way out of the loop
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// uppfoljning:
    ///   next:
    ///     - { when: rule.egen_forsorjning, to: avslut }
    ///     - { else: insats }
    /// ```
    pub static NO_PATH_TO_END = ("G006", NoPathToEnd, Error);
}
