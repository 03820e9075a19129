//! R005: dated versions of a rule or table that overlap or leave a gap.

declare_check! {
    /// ## What it does
    /// Reports versions of one rule (same function name in several rule files, with
    /// `/// valid_from:` and `/// valid_to:` doc lines) or of one table (`versions:` in a
    /// `*.table.yaml`) whose periods overlap, or leave days between them that no version covers.
    /// Also reports dates that are not `YYYY-MM-DD`.
    ///
    /// ## Why is this bad?
    /// On an overlapping day two versions claim to be in force and the answer depends on file
    /// order; on a day in a gap no version is, and every case asked about that day fails.
    ///
    /// ## Example
    /// ```yaml
    /// versions:
    ///   - { valid_from: 2021-01-01, valid_to: 2021-12-31, values: ... }
    ///   - { valid_from: 2022-02-01, values: ... }      # January 2022 is not covered
    /// ```
    ///
    /// ## Use instead
    /// Let each version start the day after the previous one ends.
    pub static VERSION_CONFLICT = ("R005", VersionConflict, Error);
}
