//! G022: an event of the case raised where no step can take it any more.

declare_check! {
    /// ## What it does
    /// An event a step raises (`emits:`) is kept until a step of the case that waits for it
    /// takes it (or for the event's `keep:` period). Exploring every reachable state of a case,
    /// this check reports an event that can be pending in a state from which no step that
    /// waits for it can be reached any more, with the path that leads there. The simulation
    /// counts such events under the same name (`lost`).
    ///
    /// ## Why is this bad?
    /// The report never reaches anyone: absence reported by the labour-market unit after the
    /// caseworker's monthly cycle has ended is read by no one, and payments go on on a wrong
    /// basis (seed 002 recommendation 4, seed 004 l.19).
    ///
    /// ## Example
    /// ```yaml
    /// manadscykel:
    ///   kind: wait
    ///   on:
    ///     - { event: franvaro_rapporterad, to: franvaro_mottagen }
    ///     - { event: arende_ej_aktuellt, to: avslutad }   # after this, nothing takes the report
    /// ```
    ///
    /// ## Use instead
    /// Stop raising the event once nothing can take it (end the insats with the cycle), route
    /// it to another receiver, or say that the loss is intended with `keep:` on the event
    /// (`keep: 0d` drops it when nothing waits).
    pub static LOST_EVENT = ("G022", LostEvent, Warning);
}
