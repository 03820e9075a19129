//! G009: a referral to a workflow that never answers with an outcome the referral expects.

declare_check! {
    /// ## What it does
    /// For each referral to another workflow, computes the outcomes the referred workflow can
    /// actually end with (following its own referrals) and warns when none of them is among the
    /// referral's `returns`, including when the referred workflow can never end at all.
    ///
    /// ## Why is this bad?
    /// The referring unit waits for an answer that never comes: the person is "at AME" in the
    /// social worker's view for ever. Referrals that never come back are a finding in the
    /// audits this tool is built from. (Whether *every* outcome returns is a separate check.)
    ///
    /// ## Example
    /// ```yaml
    /// anvisning_ame:
    ///   kind: referral
    ///   refer_to: { workflow: ame }
    ///   returns: { aterremitterad: ny_bedomning }   # but ame only ends with `avslutad`
    /// ```
    ///
    /// ## Use instead
    /// Give the referred workflow an end whose `outcome` is expected back, or map its outcomes
    /// in `returns`.
    pub static REFERRAL_NEVER_RETURNS = ("G009", ReferralNeverReturns, Warning);
}
