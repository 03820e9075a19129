//! G024: an `after` timer that restarts on every entry while another trigger always comes first
//! and leads back into the wait, so it never fires.

declare_check! {
    /// ## What it does
    /// A one-shot timer `after: D` counts from each entry into its wait (unless it says
    /// `from:`). Reports a wait where another timer of a shorter period (`every: E`, or
    /// `after: E` from the entry) leads back into the same wait: every round restarts the
    /// longer timer before it is due, so it never fires.
    ///
    /// ## Why is this bad?
    /// The case never takes the route the long timer stands for: a participant is never
    /// returned to the referrer after twelve months because a three-monthly follow-up keeps
    /// restarting the count.
    ///
    /// ## Example
    /// ```yaml
    /// insats:
    ///   kind: wait
    ///   on:
    ///     - { every: 3mo, to: uppfoljning }      # uppfoljning leads back to insats
    ///     - { after: 12mo, to: aterremittering } # restarts at every return: never fires
    /// ```
    ///
    /// ## Use instead
    /// Say what the long timer counts from: `{ after: 12mo, from: first_entry, to:
    /// aterremittering }` (the first entry during this stay), `from: case_start`, or a step.
    pub static TIMER_RESTARTED = ("G024", TimerRestarted, Warning);
}
