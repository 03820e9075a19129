//! G016: a join that can wait for ever.

declare_check! {
    /// ## What it does
    /// For every workflow with a fork or a join, explores the reachable states of a case: which
    /// steps hold a token, after any choice of conditions and events, with referrals answered
    /// by any outcome their workflow can end with. It reports a join that holds some of its
    /// branches in a state from which the others can no longer arrive, with the path (the
    /// sequence of steps taken, branch by branch) that leads there.
    ///
    /// ## Why is this bad?
    /// The case waits at the join for ever: it is never closed, its outcome never recorded,
    /// and the person stays "in process" while nothing happens.
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
