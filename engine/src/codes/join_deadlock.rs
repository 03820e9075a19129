//! G016: a branch that can wait for ever: a join, or a wait for an event no step can raise.

declare_check! {
    /// ## What it does
    /// Explores every reachable state of a case of each entry workflow (its net: docs/semantics.md),
    /// with referrals followed into the workflows they refer to, conditions, events from
    /// outside and timers taken as free choice. It reports a join that holds some of its inputs
    /// in a state from which the others can no longer arrive (a join waits for one branch from
    /// each step that leads to it), and a wait for which no trigger can come any more (an event
    /// only a step of the case raises, when no such step can run), each with the path (the
    /// steps taken, branch by branch) that leads there.
    ///
    /// ## Why is this bad?
    /// The case waits at the join (or the wait) for ever: it is never closed, its outcome never
    /// recorded, and the person stays "in process" while nothing happens.
    ///
    /// ## Example
    /// ```yaml
    /// delning: { kind: fork, next: [manadscykel, arbetsmarknad] }
    /// arbetsmarknad:
    ///   next:
    ///     - { when: rule.redo, to: insats }
    ///     - { else: avslut_utan_insats }   # an end: this branch never reaches the join
    /// insats: { next: avslut }
    /// avslut: { kind: join, next: klar }
    /// ```
    ///
    /// ## Use instead
    /// Lead every branch of the fork to the join (here `avslut_utan_insats: { next: avslut }`),
    /// or end the whole case only after the join.
    pub static JOIN_DEADLOCK = ("G016", JoinDeadlock, Error);
}
