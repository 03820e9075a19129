//! steg's engine: load a municipality's workflows (YAML) and rules (Rhai), check them, and (in
//! later modules) run and simulate cases. The engine never prints and never exits the process;
//! the `steg` command line is a thin layer over this API.
//!
//! ```
//! use steg_engine::{check_folder, Severity};
//! # let dir = std::env::temp_dir().join(format!("steg-doc-{}", std::process::id()));
//! # std::fs::create_dir_all(&dir).unwrap();
//! # std::fs::write(dir.join("municipality.yaml"), "municipality: Exempel\n").unwrap();
//! # std::fs::write(dir.join("flow.yaml"),
//! #   "workflow: flow\nstart: a\nsteps:\n  a: { next: b }\n  b: {}\n").unwrap();
//! let report = check_folder(&dir);
//! let dead_end = report.diagnostics.iter().find(|d| d.code() == "G005").unwrap();
//! assert_eq!(dead_end.severity, Severity::Error);
//! assert_eq!(dead_end.step.as_deref(), Some("flow.b"));
//! # std::fs::remove_dir_all(&dir).unwrap();
//! ```

mod audit;
mod check;
pub mod codes;
mod diagnostic;
mod diff;
mod duration;
mod eval;
mod export;
mod graph;
mod import;
mod load;
mod model;
mod municipality;
pub mod net;
pub mod obligation;
mod ruletest;
mod run;
mod schema;
pub mod semantics;
mod sim;
pub mod soundness;
mod validate;
mod validity;

pub use audit::{
    assess, assess_compliance, audit, Assessment, AuditOptions, Broken, FigureEvidence,
    MunicipalityAudit, ObligationEvidence, QuestionAudit, SimulationNote,
};
pub use diagnostic::{
    did_you_mean, loc_at, CheckInfo, Diagnostic, FileId, Label, Loc, Severity, SourceFile,
    SourceMap, Span,
};
pub use diff::{align, diff, Change, Diff, Field, FieldDiff, Item, Section, Side, WorkflowDiff};
pub use duration::{Duration, DurationError, DurationRange, Effort, Period, Schedule};
pub use eval::{
    from_dynamic, to_dynamic, Arende, Params, RuleError, RuleResult, MAX_OPERATIONS, MAX_TIME,
};
pub use eval::{Rule, RuleSet, Table, Tests};
pub use export::{
    draw, export, step_anchor, DrawOptions, Drawing, ExportFormat, Mark, MarkSeverity, Part,
    COLUMNS_PER_PART, STYLE as DRAWING_STYLE,
};
pub use graph::{Edge, Graph, StepRef};
pub use import::{
    check_models, import_file, import_text, is_model_path, model_files, Imported, ModelCheck,
    ModelFormat, ModelSummary, MAX_MODEL_BYTES,
};
pub use load::{discover, load_municipality, PathError, MUNICIPALITY_FILE};
pub use model::{
    rule_name, ArrivalChange, Attribute, Audit, AuditQuestion, AuditorAssessment, BasisVersion,
    Deadline, EntryArrivals, EventDef, EventRate, Figure, Guard, Kpi, LegalBasis, Map, Measure,
    MunicipalityFile, Next, Node, Obligation, ObligationSeverity, Parameter, ReferTo, Role,
    RuleTest, Share, Simulation, Step, StepDraw, StepKind, TableFile, TableVersion, TestFile, Transition,
    Trigger, Unit, Validation, Value, Workflow, WorkflowFile,
};
pub use municipality::Municipality;
pub use ruletest::{run_tests, TestOutcome};
pub use run::case::{Case, Ctx, External, Stuck, TraceEntry, What, World};
pub use run::scenario::{run_scenario, ScenarioEvent, ScenarioFile};
pub use schema::{municipality_schema, workflow_schema};
pub use semantics::{At, PStep, Program, Semantics};
pub use sim::log::{EventLog, LogFormat};
pub use sim::{
    simulate, validate as validate_simulation, Dist, Estimate, FigureEstimate,
    Options as SimOptions, Report as SimReport, Rng, RoleStats, StuckCount, WaitingCount,
};
pub use validate::{
    is_assumption, validate, Assumption, FigureCheck, FigureVerdict, ValidateOptions,
    ValidationReport,
};
pub use validity::Validity;

use std::path::Path;

/// The result of checking one or more municipality folders.
#[derive(Debug, Default)]
pub struct Report {
    /// Every file read, for showing diagnostics with their source.
    pub sources: SourceMap,
    /// The municipalities, in the order checked.
    pub municipalities: Vec<Municipality>,
    /// Every problem found, sorted by file, line and column.
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    /// Number of diagnostics of a severity.
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .count()
    }
}

/// Load and check the municipality folders `dirs` (see [`discover`]).
pub fn check_folders(dirs: &[std::path::PathBuf]) -> Report {
    let mut report = Report::default();
    for dir in dirs {
        let mut diags = Vec::new();
        let m = load_municipality(dir, &mut report.sources, &mut diags);
        diags.extend(check::check(&m, &report.sources));
        load::extends::relate(&m, &report.sources, &mut diags);
        report.diagnostics.extend(diags);
        report.municipalities.push(m);
    }
    report.diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            (
                d.span.as_ref().map(|s| (s.file, s.loc.line, s.loc.column)),
                d.check.code,
            )
        };
        key(a).cmp(&key(b))
    });
    report
}

/// Load and check one municipality folder.
pub fn check_folder(dir: &Path) -> Report {
    check_folders(&[dir.to_path_buf()])
}
