//! S006: a BPMN or PNML file that cannot be imported.

declare_check! {
    /// ## What it does
    /// Reports a model file that `steg import` (or `steg check` of a model file) cannot read: not
    /// well-formed XML, a root element in an unknown namespace (neither BPMN 2.0 nor PNML), a
    /// file over 32 MiB, more than two million elements or 128 levels of nesting, a
    /// `<!DOCTYPE>` that declares entities (an "XML bomb" or an external entity), text that is
    /// not UTF-8; and references inside it that lead nowhere (a sequence flow or arc to an id
    /// the file does not have, an id used twice).
    ///
    /// ## Why is this bad?
    /// Nothing, or not everything, of the model can be imported, so the workflow would be
    /// missing parts. Entity declarations are refused outright: expanding them could exhaust
    /// memory or read other files, and BPMN and PNML never need them.
    ///
    /// ## Example
    /// ```xml
    /// <!DOCTYPE bpmn [ <!ENTITY a "aaaaaaaaaa"> <!ENTITY b "&a;&a;&a;&a;&a;"> ]>
    /// <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
    ///   <bpmn:sequenceFlow id="f1" sourceRef="Task_1" targetRef="Task_9" />  <!-- no Task_9 -->
    /// ```
    ///
    /// ## Use instead
    /// Export the model again from its tool as BPMN 2.0 XML or PNML, without a DTD, and fix the
    /// references.
    /// ```xml
    /// <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">
    ///   <bpmn:sequenceFlow id="f1" sourceRef="Task_1" targetRef="Task_2" />
    /// ```
    pub static INVALID_MODEL_FILE = ("S006", InvalidModelFile, Error);
}
