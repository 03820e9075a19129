//! G012: an "after A, B within D" obligation that a case can break.

declare_check! {
    /// ## What it does
    /// Checks each obligation written `{ after: A, then: B, within: D }` under `obligations:`
    /// (in `municipality.yaml` or a workflow file) on the graph, with referrals followed into
    /// the referred workflows and forks as parallel branches. It reports one path, step by
    /// step, on which a case passes `A` and then ends without `B`, or gets where `B` can no
    /// longer come while the case goes on, or reaches `B` only after `D` even when every step
    /// takes its shortest declared `duration` and every event comes at once. Conditions and
    /// events are free choice: a route the configuration allows is assumed possible. A step in
    /// `unless:` ends the obligation for the cases that reach it first.
    ///
    /// ## Why is this bad?
    /// The follow-up is what the person is owed: a plan within three months of the application,
    /// a meeting within a month. A configuration in which some case can skip it will, sooner or
    /// later, skip it for a real person, and nothing in the process notices.
    ///
    /// ## Example
    /// ```yaml
    /// obligations:
    ///   plan_inom_tre_manader:
    ///     after: ekonomiskt_bistand.ansokan
    ///     then: ekonomiskt_bistand.plan       # but `beslut` can go on to `insats` without it
    ///     within: 3mo
    ///     source: "seed 004 l.14"
    /// ```
    ///
    /// ## Use instead
    /// Give every path from `ansokan` a route through `plan` (or list the steps that exempt a
    /// case, such as a refusal, under `unless:`), and keep the declared durations and timers on
    /// the way within the limit.
    pub static MISSING_FOLLOW_UP = ("G012", MissingFollowUp, Warning);
}
