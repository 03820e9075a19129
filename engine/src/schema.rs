//! JSON Schemas of the two file kinds, generated from the model types, for editors (VS Code's
//! YAML extension completes and validates with them).

use crate::model::{MunicipalityFile, WorkflowFile};

/// JSON Schema of `municipality.yaml`.
pub fn municipality_schema() -> serde_json::Value {
    schemars::schema_for!(MunicipalityFile).to_value()
}

/// JSON Schema of a workflow file.
pub fn workflow_schema() -> serde_json::Value {
    schemars::schema_for!(WorkflowFile).to_value()
}
