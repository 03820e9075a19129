//! S005: an element of an imported BPMN or PNML model that steg cannot express as written.

declare_check! {
    /// ## What it does
    /// Reports, at its line in the model file, every element of a BPMN 2.0 or PNML model that
    /// `steg import` (or `steg check` of a model file) could not turn into the workflow language
    /// exactly: left out (a data object, a compensation handler, an event sub-process, an
    /// inhibitor arc) or approximated (an inclusive merge read as a join that waits for every
    /// branch, a non-interrupting boundary event read as interrupting, an end event in a
    /// parallel branch read as ending the case, a net that is not a workflow net). The message
    /// says which. An approximation in a BPMN process makes the verdict about that workflow
    /// *not decided*: its errors are shown as warnings marked "not certain". `steg import
    /// --strict` makes every S005 an error.
    ///
    /// ## Why is this bad?
    /// The imported workflow is not the drawn process: a check that passes on it may not hold for
    /// the original, and a step the diagram has may be missing.
    ///
    /// ## Example
    /// ```xml
    /// <bpmn:inclusiveGateway id="Gateway_Samla" />   <!-- waits for "the branches taken" -->
    /// ```
    ///
    /// ## Use instead
    /// Redraw the construct with what steg has (exclusive choices, forks and joins, waits for
    /// events and timers, referrals), or accept the approximation and fix the imported YAML.
    /// ```xml
    /// <bpmn:parallelGateway id="Gateway_Samla" />    <!-- every branch -->
    /// ```
    pub static UNSUPPORTED_ELEMENT = ("S005", UnsupportedElement, Warning);
}
