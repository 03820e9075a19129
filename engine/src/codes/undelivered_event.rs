//! G015: an "event E reaches role R" obligation that the handling of the event can break.

declare_check! {
    /// ## What it does
    /// Checks each obligation written `{ event: E, reaches: R, within: D }`, where `R` is a
    /// role or a step `workflow.step`. From every `wait` step that listens for `E`, it follows
    /// the steps the case goes through until it waits again, including the steps that wait for
    /// events raised on the way (`emits:`), and reports a choice of conditions on which the case
    /// goes back to waiting (or ends) without a step of `R`; and an event no step waits for. With
    /// `within`, the shortest declared durations on the way must not exceed `D`.
    ///
    /// ## Why is this bad?
    /// Absence from an insats that never reaches the caseworker who pays means payments go on
    /// on a wrong basis, and the person's situation goes unnoticed. Auditors found exactly this
    /// (seed 002 recommendation 4, seed 004 l.19).
    ///
    /// ## Example
    /// ```yaml
    /// franvaro:
    ///   next:
    ///     - { when: arende.lamnas_over, to: overlamning }   # raises franvaro_overlamnad
    ///     - { else: insats }                                 # absence noted, never handed over
    /// ```
    ///
    /// ## Use instead
    /// Hand every absence over by a stated rule (`when: rule.franvaro_ska_rapporteras`), and
    /// state the obligation on the handover event, or route every branch through a step of the
    /// receiving role.
    pub static UNDELIVERED_EVENT = ("G015", UndeliveredEvent, Warning);
}
