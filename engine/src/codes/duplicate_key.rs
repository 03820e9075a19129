//! S007: a field written twice in one mapping.

declare_check! {
    /// ## What it does
    /// Reports a field that appears twice in the same mapping: `steps:` twice at the top of a
    /// workflow file, or `next:` twice in one step. It points at the repeated key and names the
    /// first.
    ///
    /// ## Why is this bad?
    /// Only one of the two can be read (steg reads the first), so whatever the other one says
    /// is silently lost: a second `steps:` block drops every step written in it. (Two entries
    /// with the same id in a mapping of names, such as two steps `plan`, are DuplicateId,
    /// G002.)
    ///
    /// ## Example
    /// ```yaml
    /// utredning: { actor: socialsekreterare, next: beslut_4_4, next: avslag }
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// utredning:
    ///   actor: socialsekreterare
    ///   next:
    ///     - { when: rule.ratt_till_bistand, to: beslut_4_4 }
    ///     - { else: avslag }
    /// ```
    pub static DUPLICATE_KEY = ("S007", DuplicateKey, Error);
}
