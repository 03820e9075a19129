//! N004: a model whose soundness steg could not decide.

declare_check! {
    /// ## What it does
    /// Says that the soundness of a model was neither shown nor refuted, and why: the
    /// exploration hit its budget (states or bytes) after the reductions without finding a
    /// violation, the net has inhibitor or reset arcs or is not a place/transition net, or it
    /// has no initial or final marking to start from. The model's summary line says `not
    /// decided`, never `sound`, and `steg check` exits with code 1, as for G019.
    ///
    /// ## Why is this bad?
    /// Nothing is known: the model may be sound or not. A process that has not been shown sound
    /// should not be relied on as if it were.
    ///
    /// ## Example
    /// ```xml
    /// <arc id="a1" source="p1" target="t1" type="inhibitor"/>
    /// ```
    ///
    /// ## Use instead
    /// Split the model into parts that can be checked on their own, or redraw what steg cannot
    /// read with places and transitions.
    pub static SOUNDNESS_NOT_DECIDED = ("N004", SoundnessNotDecided, Error);
}
