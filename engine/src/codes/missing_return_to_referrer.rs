//! G014: a referral whose answer does not come back to the one who referred.

declare_check! {
    /// ## What it does
    /// With the obligation `{ referrals_return: true }`, checks every referral to a workflow of
    /// the municipality (in a workflow file's `obligations:`, only that workflow's referrals):
    /// each outcome the referred workflow can end with must be mapped under `returns:`, and each
    /// answer must reach a step acted by the role that made the referral (its `actor`) before the
    /// case ends. It shows the path in the referred workflow that gives the unmapped answer, or
    /// the path from the answer to an end that the referrer never sees.
    ///
    /// ## Why is this bad?
    /// An answer the referral does not expect leaves the case stuck at the receiving unit's
    /// end; an answer that closes the case without the referrer means the person who came back
    /// without work gets no new planning. Unclear routes between units are a finding in the
    /// audits this tool is built from (seed 003).
    ///
    /// ## Example
    /// ```yaml
    /// anvisning_jobbtorg:
    ///   kind: referral
    ///   actor: socialsekreterare
    ///   refer_to: { workflow: jobbtorg }
    ///   returns: { avslutad: insats_avslutad }   # an end: the socialsekreterare never sees it
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    ///   returns: { avslutad: ny_planering }      # a step of the socialsekreterare
    /// ```
    pub static MISSING_RETURN_TO_REFERRER = ("G014", MissingReturnToReferrer, Warning);
}
