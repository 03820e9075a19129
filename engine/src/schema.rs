//! JSON Schemas of the file kinds, generated from the model types, for editors (VS Code's
//! YAML extension completes and validates with them).

use crate::model::{MunicipalityFile, WorkflowFile};
use crate::run::scenario::ScenarioFile;

/// JSON Schema of `municipality.yaml`.
pub fn municipality_schema() -> serde_json::Value {
    schemars::schema_for!(MunicipalityFile).to_value()
}

/// JSON Schema of a workflow file.
pub fn workflow_schema() -> serde_json::Value {
    schemars::schema_for!(WorkflowFile).to_value()
}

/// JSON Schema of a scenario file (`steg run --scenario`).
pub fn scenario_schema() -> serde_json::Value {
    schemars::schema_for!(ScenarioFile).to_value()
}

#[cfg(test)]
mod tests {
    /// The schemas in `schemas/` are what editors load; they must match the model.
    /// Regenerate with `cargo run -- schema --out schemas`.
    #[test]
    fn committed_schemas_match_the_model() {
        let pretty = |v| serde_json::to_string_pretty(&v).unwrap() + "\n";
        assert_eq!(
            include_str!("../../schemas/municipality.schema.json"),
            pretty(super::municipality_schema()),
            "schemas/municipality.schema.json is stale: run `cargo run -- schema --out schemas`"
        );
        assert_eq!(
            include_str!("../../schemas/workflow.schema.json"),
            pretty(super::workflow_schema()),
            "schemas/workflow.schema.json is stale: run `cargo run -- schema --out schemas`"
        );
        assert_eq!(
            include_str!("../../schemas/scenario.schema.json"),
            pretty(super::scenario_schema()),
            "schemas/scenario.schema.json is stale: run `cargo run -- schema --out schemas`"
        );
    }

    #[test]
    fn workflow_schema_forbids_unknown_step_fields() {
        let s = super::workflow_schema();
        assert_eq!(s["$defs"]["Step"]["additionalProperties"], false);
    }
}
