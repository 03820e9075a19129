//! G021: `extends` that leads back to a folder or file it started from (the loader reports it).

declare_check! {
    /// ## What it does
    /// Reports an `extends:` (in `municipality.yaml` or in a workflow file) whose chain of bases
    /// comes back to a folder or file already on it: `lindesberg` extends `../common`, and
    /// `common` extends `../lindesberg`. The message lists the chain.
    ///
    /// ## Why is this bad?
    /// A base is what a configuration is built on; a circle has no bottom, so there is nothing
    /// to start the merge from. The configuration is not checked further until the circle is
    /// broken (a base stays a base: it extends nothing that extends it).
    ///
    /// ## Example
    /// ```yaml
    /// # workflows/common/municipality.yaml
    /// municipality: Gemensam grund
    /// base: true
    /// extends: ../lindesberg        # lindesberg extends ../common
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// # workflows/common/municipality.yaml
    /// municipality: Gemensam grund
    /// base: true
    /// ```
    pub static EXTENDS_CYCLE = ("G021", ExtendsCycle, Error);
}
