//! G008: a decision that does not say what law or local decision it rests on.

declare_check! {
    /// ## What it does
    /// Reports a `kind: decision` step without a `legal_basis` (or with an empty one).
    ///
    /// ## Why is this bad?
    /// A decision in social services is an exercise of public authority (myndighetsutövning):
    /// it must rest on a provision, such as SoL 4 kap. 1 § or 4 kap. 4 §, and the person must be
    /// able to appeal it. Without the basis written down, nobody reviewing the process can tell
    /// whether the decision is lawful or appealable.
    ///
    /// ## Example
    /// ```yaml
    /// beslut_4_4: { kind: decision, actor: socialsekreterare, next: ame_inskrivning }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// beslut_4_4:
    ///   kind: decision
    ///   actor: socialsekreterare
    ///   legal_basis: "SoL 4 kap. 4 §"
    ///   next: ame_inskrivning
    /// ```
    pub static DECISION_WITHOUT_LEGAL_BASIS = ("G008", DecisionWithoutLegalBasis, Warning);
}
